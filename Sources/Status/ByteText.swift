/// Text appended straight to the byte buffers the status files are built in.
///
/// Rendering 10,000 status files through `String` interpolation and concatenation costs
/// hundreds of milliseconds in allocations and UTF-8 bookkeeping; these append bytes to one
/// growing buffer per file.
extension Array where Element == UInt8 {
    package mutating func appendText(_ text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }

    /// `value` in decimal (a leading `-` when negative), zero-padded to `width` digits.
    package mutating func appendDecimal(_ value: Int, width: Int = 1) {
        if value < 0 { append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var digits = 1
        var divisor: UInt = 1
        while magnitude / divisor >= 10 {
            divisor *= 10
            digits += 1
        }
        if width > digits { append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - digits)) }
        while divisor > 0 {
            append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        }
    }
}
