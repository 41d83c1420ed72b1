import Foundation
import MonologTestSupport
import Testing

/// The data directory on a small file system that fills up: a tmpfs mounted for the test (root only,
/// which CI is). Producers are refused with KAFKA_STORAGE_ERROR and HTTP 507, the writer keeps running
/// (no crash loop), nothing acknowledged is lost, and writes succeed again once space is freed.
@Suite struct DiskFullTests {
    @Test func aFullDiskRefusesWritesUntilSpaceIsFreedAndLosesNothing() async throws {
        guard getuid() == 0 else {
            // Mounting needs root. CI runs as root, so there the test always runs.
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("CI must run as root to mount a tmpfs") }
            return
        }
        let mountPoint = NSTemporaryDirectory() + "monolog-full-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mounted = try await runProcess("/bin/mount", ["-t", "tmpfs", "-o", "size=24m", "tmpfs", mountPoint])
        #expect(mounted.status == 0, "mount failed")
        guard mounted.status == 0 else { return }
        defer {
            _ = try? FileManager.default.removeItem(atPath: mountPoint + "/filler")
            let unmount = Process()
            unmount.executableURL = URL(fileURLWithPath: "/bin/umount")
            unmount.arguments = ["-l", mountPoint]
            try? unmount.run()
            unmount.waitUntilExit()
            try? FileManager.default.removeItem(atPath: mountPoint)
        }

        let broker = try await Broker.start(dataDirectory: mountPoint + "/data")
        #expect(try await broker.post("/api/topics", #"{"name":"f","partitions":1}"#).status == 201)
        let writerPID = broker.pids(of: "monolog-storage-writer")
        // Leave about 2 MiB free: a filler file takes the rest, to be deleted later.
        var stats = statvfs()
        statvfs(mountPoint, &stats)
        let free = Int(stats.f_bavail) * Int(stats.f_frsize)
        #expect(FileManager.default.createFile(atPath: mountPoint + "/filler", contents: Data(count: max(0, free - 2 << 20))))

        // HTTP producers fill it, with large messages and then small ones (a refused commit leaves a
        // little room): every message up to a refusal is acknowledged, then 507.
        var acknowledged: [String] = []
        var refusal: HTTPResult?
        for (size, attempts) in [(20_000, 400), (10, 400)] {
            for index in 0..<attempts {
                let value = "\(size)-\(index)-" + String(repeating: "x", count: size)
                let answer = try await broker.post("/api/topics/f/messages", #"{"value":"\#(value)"}"#)
                guard answer.status == 200 else {
                    refusal = answer
                    break
                }
                acknowledged.append(value)
            }
        }
        #expect(!acknowledged.isEmpty)
        #expect(refusal?.status == 507, "\(refusal?.body.prefix(300) ?? "the disk never filled")")
        #expect(refusal?.errorCode == "insufficient_storage")

        // A Kafka producer gets KAFKA_STORAGE_ERROR ("Disk error" in librdkafka's words), not a timeout.
        let kcat = try await runProcess(
            "/bin/sh", ["-c", "kcat -b 127.0.0.1:\(broker.kafkaPort) -P -t f -X retries=0 2>&1"], input: "over kafka\n", timeout: 30)
        #expect(kcat.status != 0)
        #expect(kcat.standardOutput.contains("Disk error"), "\(kcat.standardOutput)")

        // The writer ran on throughout: the same process, no restarts.
        #expect(broker.pids(of: "monolog-storage-writer") == writerPID)
        #expect(!broker.log.contains("service exited"), "a service exited while the disk was full")

        // Space freed: writes succeed again (within a few seconds) and every acknowledged message is there.
        try FileManager.default.removeItem(atPath: mountPoint + "/filler")
        var recovered = false
        for _ in 0..<50 where !recovered {
            recovered = try await broker.post("/api/topics/f/messages", #"{"value":"after"}"#).status == 200
            if !recovered { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(recovered, "writes did not succeed again once space was freed")
        let stored = try await broker.readAll(topic: "f").map(\.value)
        #expect(stored == acknowledged + ["after"], "\(stored.count) stored, \(acknowledged.count) acknowledged before freeing space")
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
