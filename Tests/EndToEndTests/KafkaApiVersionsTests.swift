import Foundation
import MonologTestSupport
import Testing

/// The Kafka gateway is a real supervised listener that answers ApiVersions at every version 0–4,
/// advertising exactly what it serves, refuses an unknown version in the v0
/// layout, and closes connections for APIs it does not serve.
@Suite struct KafkaApiVersionsTests {
    /// Exactly the APIs the gateway implements, with the ranges docs/COMPATIBILITY.md gives.
    static let advertised: [Int16: ClosedRange<Int16>] = [
        0: 0...9, 1: 4...12, 2: 1...7, 3: 0...9, 8: 2...9, 9: 1...9, 10: 0...6, 11: 0...9, 12: 0...4, 13: 0...5, 37: 0...3,
        14: 0...5, 15: 0...5, 16: 0...5, 18: 0...4, 19: 2...7, 20: 1...5, 21: 0...2, 22: 0...4, 23: 2...4, 32: 1...4, 33: 0...2, 35: 1...4, 42: 0...2,
        44: 0...1, 47: 0...0,
        60: 0...1, 61: 0...0,
        17: 0...1, 36: 0...2, 50: 0...0, 51: 0...0,
        24: 0...3, 25: 0...3, 26: 0...3, 28: 0...3, 65: 0...0, 66: 0...1,
    ]

    @Test(arguments: [Int16(0), 1, 2, 3, 4])
    func apiVersionsIsAnsweredAtEveryVersion(_ version: Int16) async throws {
        let broker = try await Broker.start()
        let frame = try await blocking { () -> [UInt8]? in
            let connection = try RawKafkaConnection(port: broker.kafkaPort)
            // v3+ bodies: client_software_name and _version as compact strings, then no tagged fields.
            let body: [UInt8] = version >= 3 ? [4] + Array("raw".utf8) + [4] + Array("1.0".utf8) + [0] : []
            try connection.send(RawKafkaConnection.request(apiKey: 18, version: version, correlationID: 77, flexibleHeader: version >= 3, body: body))
            return try connection.receiveFrame()
        }
        var reader = FrameReader(try #require(frame))
        #expect(reader.read(Int32.self) == 77)  // response header v0, even for flexible versions
        #expect(reader.read(Int16.self) == 0)  // error_code
        let count = version >= 3 ? Int(reader.readUnsignedVarint()) - 1 : Int(reader.read(Int32.self))
        var ranges: [Int16: ClosedRange<Int16>] = [:]
        for _ in 0..<count {
            let key = reader.read(Int16.self)
            ranges[key] = reader.read(Int16.self)...reader.read(Int16.self)
            if version >= 3 { #expect(reader.readUnsignedVarint() == 0) }
        }
        #expect(ranges == Self.advertised)
        if version >= 1 { #expect(reader.read(Int32.self) == 0) }  // throttle_time_ms
        if version >= 3 { #expect(reader.readUnsignedVarint() == 0) }  // tagged fields
        #expect(reader.remaining == 0)
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    @Test func anUnknownVersionGetsUnsupportedVersionInTheV0Layout() async throws {
        let broker = try await Broker.start()
        let frame = try await blocking { () -> [UInt8]? in
            let connection = try RawKafkaConnection(port: broker.kafkaPort)
            try connection.send(RawKafkaConnection.request(apiKey: 18, version: 99, correlationID: 5, flexibleHeader: true))
            return try connection.receiveFrame()
        }
        var reader = FrameReader(try #require(frame))
        #expect(reader.read(Int32.self) == 5)
        #expect(reader.read(Int16.self) == 35)  // UNSUPPORTED_VERSION
        let count = Int(reader.read(Int32.self))
        var ranges: [Int16: ClosedRange<Int16>] = [:]
        for _ in 0..<count { ranges[reader.read(Int16.self)] = reader.read(Int16.self)...reader.read(Int16.self) }
        #expect(ranges == Self.advertised)
        #expect(reader.remaining == 0)
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }

    @Test func unservedAPIsAndOversizedFramesCloseOnlyThatConnection() async throws {
        let broker = try await Broker.start()
        let closed = try await blocking { () -> (Bool, Bool, Bool) in
            let unserved = try RawKafkaConnection(port: broker.kafkaPort)  // AddPartitionsToTxn: no transactions
            try unserved.send(RawKafkaConnection.request(apiKey: 24, version: 0, correlationID: 1, body: [0, 1, 0x67]))
            let oversized = try RawKafkaConnection(port: broker.kafkaPort)
            try oversized.send(bigEndian(Int32.max))  // claims 2 GiB; must not be allocated
            let healthy = try RawKafkaConnection(port: broker.kafkaPort)
            try healthy.send(RawKafkaConnection.request(apiKey: 18, version: 0, correlationID: 9))
            return (try unserved.receiveFrame() == nil, try oversized.receiveFrame() == nil, try healthy.receiveFrame() != nil)
        }
        #expect(closed.0, "an unserved API did not close the connection")
        #expect(closed.1, "an oversized frame did not close the connection")
        #expect(closed.2, "another connection was affected")
        #expect(broker.pids(of: "monolog-kafka-gateway").count == 1)
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
