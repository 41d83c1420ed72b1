import MonologKafkaProtocol
import NIOCore
import Testing

/// Every request decoder meets broken and hostile bytes: every truncation of a valid message throws,
/// and thousands of random mutations of valid messages either decode or throw a typed error — never
/// crash, hang or allocate what a length claims.
@Suite struct HostileInputTests {
    static let requestTypes = KafkaAPIRegistry.all.map { RoundTripTests.Case(type: $0.request) }

    @Test(arguments: requestTypes)
    func truncationsAndMutationsThrowTypedErrors(_ testCase: RoundTripTests.Case) throws {
        guard let type = testCase.type as? any KafkaMessageExample.Type else {
            Issue.record("no example for \(testCase.type.name)")
            return
        }
        try Self.attack(type)
    }

    static func attack<Message: KafkaMessageExample>(_: Message.Type) throws {
        guard let versions = Message.validVersions.versions else { return }
        var generator = SplitMix64(seed: UInt64(bitPattern: Int64(Message.name.hashValue)))
        for version in versions {
            var encoded = ByteBuffer()
            try Message.example(version: version).encode(into: &encoded, version: version)
            let bytes = Array(encoded.readableBytesView)
            for length in 0..<bytes.count {
                var prefix = ByteBuffer(bytes: bytes[..<length])
                #expect(throws: KafkaDecodingError.self, "\(Message.name) v\(version) accepted \(length) of \(bytes.count) bytes") {
                    try Message(from: &prefix, version: version)
                }
            }
            for _ in 0..<25 {
                var mutated = bytes
                for _ in 0..<Int.random(in: 1...4, using: &generator) where !mutated.isEmpty {
                    let index = Int.random(in: 0..<mutated.count, using: &generator)
                    mutated[index] = [0xFF, 0x00, 0x7F, 0x80, UInt8.random(in: 0...255, using: &generator)].randomElement(using: &generator)!
                }
                var buffer = ByteBuffer(bytes: mutated)
                do {
                    _ = try Message(from: &buffer, version: version)
                } catch {
                    // A typed error is the expected outcome for most mutations.
                }
            }
        }
    }

    @Test func hugeClaimedLengthsAreRefusedBeforeAllocating() {
        // An array claiming 2^31-1 elements, a string claiming 32767 bytes, bytes claiming 2 GiB: each with
        // almost nothing behind it.
        var array = ByteBuffer(bytes: [0x7F, 0xFF, 0xFF, 0xFF, 0])
        #expect(throws: KafkaDecodingError.self) {
            try array.readKafkaArray("a", compact: false) { (buffer: inout ByteBuffer) throws(KafkaDecodingError) in
                try buffer.readKafkaInteger("x", as: Int8.self)
            }
        }
        var string = ByteBuffer(bytes: [0x7F, 0xFF, 0x41])
        #expect(throws: KafkaDecodingError.self) { try string.readKafkaString("s", compact: false) }
        var blob = ByteBuffer(bytes: [0x7F, 0xFF, 0xFF, 0xFF])
        #expect(throws: KafkaDecodingError.self) { try blob.readKafkaBytes("b", compact: false) }
        var compact = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        #expect(throws: KafkaDecodingError.self) { try compact.readKafkaBytes("b", compact: true) }
    }

    @Test func varintsThatNeverEndAreRefused() {
        var buffer = ByteBuffer(bytes: [UInt8](repeating: 0x80, count: 64))
        #expect(throws: KafkaDecodingError.self) { try buffer.readKafkaUnsignedVarint("v") }
        var tooBig = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        #expect(throws: KafkaDecodingError.self) { try tooBig.readKafkaUnsignedVarint("v") }
    }

    @Test func outOfOrderTaggedFieldsAreRefused() {
        var buffer = ByteBuffer(bytes: [2, 5, 0, 3, 0])
        #expect(throws: KafkaDecodingError.self) { try buffer.readKafkaTaggedFields("t") }
    }
}

/// A small deterministic generator, so a failing mutation reproduces.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
