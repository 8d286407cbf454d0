import AlmanacCore

/// A JSON value (post content, job results), as AlmanacCore defines it for every module.
///
/// Re-exposed here because `JobSpec.content` is part of this product's public API.
public typealias JSONValue = AlmanacCore.JSONValue
