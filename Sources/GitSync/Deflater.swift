import CGit2

/// One zlib deflate stream, reset for each object; the `z_stream` lives at a fixed address,
/// as zlib requires.
final class Deflater {
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    /// Output space, reused: deflate needs a bound's worth, most of which it leaves unused.
    private var scratch: [UInt8] = []

    init(level: Int32, memoryLevel: Int32) throws(GitError) {
        stream.initialize(to: z_stream())
        let code = almanac_deflate_init(stream, level, memoryLevel)
        guard code == Z_OK else {
            stream.deallocate()
            throw GitError(code: -1, message: "zlib error \(code)", function: "deflateInit2")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Appends `input` as one complete zlib stream.
    func compress(_ input: [UInt8], appendingTo out: inout [UInt8]) throws(GitError) {
        guard input.count <= UInt32.max, deflateReset(stream) == Z_OK else {
            throw GitError(code: -1, message: "cannot deflate \(input.count) bytes", function: "deflateReset")
        }
        let bound = Int(deflateBound(stream, UInt(input.count)))
        if scratch.count < bound { scratch = [UInt8](repeating: 0, count: max(bound, 2 * scratch.count)) }
        let (code, produced) = input.withUnsafeBufferPointer { source in
            scratch.withUnsafeMutableBufferPointer { target in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.pointee.avail_in = UInt32(source.count)
                stream.pointee.next_out = target.baseAddress
                stream.pointee.avail_out = UInt32(bound)
                return (deflate(stream, Z_FINISH), bound - Int(stream.pointee.avail_out))
            }
        }
        guard code == Z_STREAM_END else { throw GitError(code: -1, message: "zlib error \(code)", function: "deflate") }
        out.append(contentsOf: scratch[0..<produced])
    }
}
