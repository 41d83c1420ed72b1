import Foundation
import MonologTestSupport
import Testing

/// The supervisor as a user meets it: start order, graceful stop, bad configuration, crash loops.
@Suite struct SupervisorTreeTests {
    @Test func startsEveryServiceAndStopsInOrderWithExitZero() async throws {
        let broker = try await Broker.start()
        for executable in ["monolog-storage-writer", "monolog-kafka-gateway", "monolog-http-gateway", "monolog-retention-worker"] {
            #expect(broker.pids(of: executable).count == 1, "\(executable) is not running exactly once")
        }
        let started = ContinuousClock.now
        #expect(try await broker.stop() == 0)
        #expect(ContinuousClock.now - started < .seconds(10))
        for executable in ["monolog-storage-writer", "monolog-kafka-gateway", "monolog-http-gateway", "monolog-retention-worker"] {
            #expect(broker.pids(of: executable).isEmpty, "\(executable) outlived the supervisor")
        }
        // The writer starts first and stops last.
        let log = broker.log
        let writerStopped = try #require(log.range(of: "service=storage-writer status=exited(0)"))
        let gatewayStopped = try #require(log.range(of: "service=http-gateway status=exited(0)"))
        #expect(gatewayStopped.lowerBound < writerStopped.lowerBound)
        #expect(log.contains("[storage-writer]"), "child output is not prefixed with the service name")
        broker.removeFiles()
    }

    @Test func aBadValueStopsStartUpWithAMessageNamingIt() async throws {
        let output = try await blocking { () -> (Int32, String) in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Broker.binDirectory + "/monolog-supervisor")
            process.arguments = ["start", "--data-dir", NSTemporaryDirectory() + "monolog-never", "--kafka-addr", "nope"]
            let pipe = Pipe()
            process.standardError = pipe
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        #expect(output.0 == 2)
        #expect(output.1.contains("kafka-addr"))
        #expect(output.1.contains("nope"))
    }

    /// A gateway that cannot bind its port dies at once, again and again: the supervisor gives up with
    /// a clear message and exit status 1 instead of restarting forever.
    @Test func aCrashLoopTripsTheRestartIntensityLimit() async throws {
        let blocker = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(blocker) }
        let port = freeTCPPort()
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(blocker, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0)
        #expect(listen(blocker, 1) == 0)

        let result = try await blocking { () -> (Int32, String) in
            let work = NSTemporaryDirectory() + "monolog-crashloop-\(UUID().uuidString.prefix(8))"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Broker.binDirectory + "/monolog-supervisor")
            process.arguments = [
                "start", "--data-dir", work, "--http-addr", "127.0.0.1:\(freeTCPPort())",
                "--kafka-addr", "127.0.0.1:\(port)", "--max-restarts", "2", "--restart-window", "30s",
            ]
            let pipe = Pipe()
            process.standardError = pipe
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: work)
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        #expect(result.0 == 1)
        #expect(result.1.contains("kafka-gateway exited"))
        #expect(result.1.contains("giving up"))
        #expect(result.1.contains("service=storage-writer status=exited(0)"), "the writer was not stopped cleanly")
    }
}
