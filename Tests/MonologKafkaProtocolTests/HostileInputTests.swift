import Foundation
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
        var generator = SplitMix64(seed: Self.seed(for: Message.name))
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

    /// The mutations are random but repeatable: the seed is fixed unless MONOLOG_TEST_SEED sets it,
    /// and printed, so a failure found with another seed can be run again.
    static let baseSeed: UInt64 = {
        let seed = ProcessInfo.processInfo.environment["MONOLOG_TEST_SEED"].flatMap { UInt64($0) } ?? 0x4D6F_6E6F_6C6F_67
        print("HostileInputTests: seed \(seed) (set MONOLOG_TEST_SEED to change it)")
        return seed
    }()

    /// The base seed mixed with the message's name (FNV-1a: unlike `hashValue`, the same in every process).
    static func seed(for name: String) -> UInt64 {
        name.utf8.reduce(0xCBF2_9CE4_8422_2325 ^ Self.baseSeed) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }

    /// An array's count is checked against what its elements need at the least, not only against the
    /// bytes left: a Produce request whose topic count is as large as the bytes behind it (each topic
    /// needs three bytes or more) is refused at the count, before the decoder reserves room for them.
    @Test func arrayCountsAreBoundedByTheirElementsSmallestSize() throws {
        func produceV9(topics count: Int, zeroBytes: Int) -> ByteBuffer {
            var buffer = ByteBuffer()
            buffer.writeInteger(UInt8(0))  // transactional id: null
            buffer.writeInteger(Int16(-1))  // acks
            buffer.writeInteger(Int32(30_000))  // timeout
            buffer.writeKafkaUnsignedVarint(UInt32(count + 1))  // compact array: count + 1
            buffer.writeRepeatingByte(0, count: zeroBytes)
            return buffer
        }
        var impossible = produceV9(topics: 1000, zeroBytes: 1000)
        do {
            _ = try ProduceRequest(from: &impossible, version: 9)
            Issue.record("1,000 topics in 1,000 bytes were accepted")
        } catch {
            #expect(error.code == .invalidLength && error.field == "TopicData", "\(error)")
        }
        // 300 topics could fit in 1,000 bytes: the count passes, and the topics themselves are refused.
        var possible = produceV9(topics: 300, zeroBytes: 1000)
        do {
            _ = try ProduceRequest(from: &possible, version: 9)
            Issue.record("zeroed topics were accepted")
        } catch {
            #expect(error.field != "TopicData", "\(error)")
        }
    }

    @Test func hugeClaimedLengthsAreRefusedBeforeAllocating() {
        // An array claiming 2^31-1 elements, a string claiming 32767 bytes, bytes claiming 2 GiB: each with
        // almost nothing behind it.
        var array = ByteBuffer(bytes: [0x7F, 0xFF, 0xFF, 0xFF, 0])
        #expect(throws: KafkaDecodingError.self) {
            try array.readKafkaArray("a", compact: false, minimumElementBytes: 1) { (buffer: inout ByteBuffer) throws(KafkaDecodingError) in
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
