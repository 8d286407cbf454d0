// Reconciler module
