/// Checks `done` every `interval` (on the real clock) until it holds or `timeout` passes; true
/// when it held.
///
/// For waits on state that has no signal to await (attempts leaving an actor's table, requests
/// in flight): the caller's isolation is kept, so `done` may read an actor's state directly.
package func poll(every interval: Duration, timeout: Duration,
                  isolation: isolated (any Actor)? = #isolation, until done: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !done() {
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: interval)
    }
    return true
}
