/// A 64-bit FNV-1a hash of the UTF-8 bytes of `s`.
///
/// Stable across runs, processes and machines (unlike `Hasher`), so the `H` cron field and the
/// runner's jitter pick the same values everywhere a job name is seen.
public func stableHash(_ s: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in s.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
    }
    return hash
}
