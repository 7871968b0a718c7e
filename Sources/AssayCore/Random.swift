/// SplitMix64: a small, fast, seedable generator; the only source of randomness in Assay.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Seed derivation: a task's random stream depends only on the spec's seed and the task's name.
public enum Seeds {
    /// A seed for `purpose` (a stable string such as a task key) under the spec's `seed`.
    public static func derive(_ seed: UInt64, _ purpose: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a 64
        for b in purpose.utf8 {
            h ^= UInt64(b)
            h &*= 0x0000_0100_0000_01B3
        }
        var g = SplitMix64(seed: seed ^ h)
        return g.next()
    }
}

extension Array {
    /// Fisher–Yates shuffle driven by the given generator (identical on every platform, unlike `shuffle(using:)`'s unspecified algorithm).
    public mutating func seededShuffle<G: RandomNumberGenerator>(using rng: inout G) {
        guard count > 1 else { return }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            if i != j { swapAt(i, j) }
        }
    }
}
