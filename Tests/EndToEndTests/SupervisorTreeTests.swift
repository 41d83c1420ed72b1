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
        // Every service exits by itself (none needed the SIGKILL that follows a 5 s grace period); the
        // bound on the whole stop leaves room for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(20), "a graceful stop took \(ContinuousClock.now - started)")
        for service in ["storage-writer", "kafka-gateway", "http-gateway", "retention-worker"] {
            #expect(broker.log.contains("service=\(service) status=exited(0)"), "\(service) did not exit by itself")
        }
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

    /// `status`, `restart <service>` and `stop` from the command line, and the data-dir lock.
    @Test func statusRestartAndStopWorkFromTheCommandLine() async throws {
        let broker = try await Broker.start()
        let status = try await broker.control(["status"])
        #expect(status.status == 0)
        for service in ["storage-writer", "kafka-gateway", "http-gateway", "retention-worker"] {
            #expect(status.standardOutput.contains(service), "\(status.standardOutput)")
        }
        #expect(status.standardOutput.components(separatedBy: " running ").count - 1 == 4, "\(status.standardOutput)")

        // A second supervisor on the same data directory refuses to start.
        let second = try await runProcess(
            Broker.binDirectory + "/monolog-supervisor",
            ["start", "--data-dir", broker.dataDirectory, "--kafka-addr", "127.0.0.1:\(freeTCPPort())", "--http-addr", "127.0.0.1:\(freeTCPPort())"],
            timeout: 30
        )
        #expect(second.status == 1)

        let before = try #require(broker.pids(of: "monolog-kafka-gateway").first)
        #expect(try await broker.control(["restart", "kafka-gateway"]).status == 0)
        let replaced = try await eventually(timeout: .seconds(10)) {
            broker.pids(of: "monolog-kafka-gateway").first.map { $0 != before } ?? false
        }
        #expect(replaced, "the Kafka gateway was not replaced")
        #expect(try await broker.waitUntilServing())
        let json = try await broker.control(["status", "--json"]).standardOutput
        let services = ((try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any])?["services"] as? [[String: Any]] ?? []
        #expect(services.first { $0["service"] as? String == "kafka-gateway" }?["restarts"] as? Int == 1, "\(json)")
        #expect(try await broker.control(["restart", "no-such-service"]).status == 1)

        let stopped = try await broker.control(["stop"])
        #expect(stopped.status == 0)
        #expect(try await eventually(timeout: .seconds(10)) { !broker.isRunning })
        for executable in ["monolog-storage-writer", "monolog-kafka-gateway", "monolog-http-gateway", "monolog-retention-worker"] {
            #expect(broker.pids(of: executable).isEmpty, "\(executable) outlived the stop command")
        }
        #expect(try await broker.control(["status"]).status == 1, "status with nothing running must say so")
        broker.removeFiles()
    }

    /// While the storage writer is down, reads keep working and writes get a retriable answer.
    @Test func readsKeepWorkingWhileTheWriterRestarts() async throws {
        let broker = try await Broker.start(extraArguments: ["--max-restarts", "50"])
        #expect(try await blocking { try broker.produce(topic: "kept", value: "before") } == 0)
        // Each read follows a SIGKILL of the writer at once, before the supervisor can have restarted it
        // (it waits at least 100 ms): reads go straight to the database file and do not need it.
        var readsDuringOutage = 0
        for _ in 0..<5 {
            guard let writer = broker.pids(of: "monolog-storage-writer").first else { continue }
            kill(writer, SIGKILL)
            let read = try await broker.get("/api/topics/kept/messages?offset=0")
            if read.status == 200, (read.json["messages"] as? [[String: Any]])?.first?["value"] as? String == "before" { readsDuringOutage += 1 }
            _ = try await eventually(timeout: .seconds(10)) { !broker.pids(of: "monolog-storage-writer").isEmpty }
        }
        #expect(readsDuringOutage >= 4, "reads failed while the writer was down")
        let written = try await eventually(timeout: .seconds(15)) {
            (try? Curl.request("POST", broker.baseURL + "/api/topics/kept/messages", body: #"{"value":"after"}"#))?.status == 200
        }
        #expect(written, "writes did not resume once the writer was back")
        #expect(try await broker.stop() == 0)
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
        let blocker = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
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
