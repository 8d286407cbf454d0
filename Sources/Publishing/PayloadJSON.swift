import AlmanacCore

/// A JSON document as publishers send and parse it: AlmanacCore's `JSONValue`, which post
/// content already is, so content reaches a publisher without a conversion.
package typealias PayloadJSON = JSONValue
