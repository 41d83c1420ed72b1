import Foundation
import MonologTestSupport
import Testing

/// The console page at `/`, loaded in headless Chromium (Debian's `chromium`) against a real broker:
/// a topic produced in the test appears with its message count, the message browser shows its
/// messages (markup in a value shown as text, never run), and a group shows its lag. A screenshot is
/// kept in `test-artifacts/console.png` (or `$MONOLOG_TEST_ARTIFACTS`).
@Suite struct HTTPConsoleTests {
    static let chromium = "/usr/bin/chromium"

    static var artifactsDirectory: String {
        if let override = ProcessInfo.processInfo.environment["MONOLOG_TEST_ARTIFACTS"] { return override }
        // Tests/EndToEndTests/<this file> → the package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("test-artifacts").path
    }

    /// Chromium's arguments for one headless run: a private profile, no sandbox (CI runs as root), and
    /// virtual time so the page's requests finish before the DOM is dumped or the picture taken.
    static func chromiumArguments(profile: String, url: String, then action: [String]) -> [String] {
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
            "--user-data-dir=\(profile)", "--window-size=1280,1000", "--virtual-time-budget=5000",
        ] + action + [url]
    }

    @Test func theConsoleShowsTopicsMessagesAndGroupsInABrowser() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.chromium), "Debian's chromium is needed: scripts/install-deps.sh --test installs it")
        let broker = try await Broker.start()
        for i in 1...3 {
            #expect(try await broker.post("/api/topics/console-demo/messages", #"{"key":"k\#(i)","value":"hello \#(i)"}"#).status == 200)
        }
        #expect(try await broker.post("/api/topics/console-demo/messages", #"{"value":"<img src=x onerror=alert(1)>"}"#).status == 200)
        // A group that read two of the four messages over Kafka: lag 2.
        let committed = try await runProcess(
            "/usr/bin/kcat",
            ["-b", "127.0.0.1:\(broker.kafkaPort)", "-G", "console-view", "-c", "2", "-o", "beginning", "-X", "auto.commit.interval.ms=100", "console-demo"],
            timeout: 60
        )
        #expect(committed.status == 0)

        let url = broker.baseURL + "/?topic=console-demo"
        let profile = broker.workDirectory + "/chromium"
        let dom = try await runProcess(Self.chromium, Self.chromiumArguments(profile: profile, url: url, then: ["--dump-dom"]), timeout: 60)
        #expect(dom.status == 0)
        let page = dom.standardOutput
        // The topics table: the topic with its four messages.
        #expect(page.contains(#"<td>console-demo</td><td class="num">1</td><td class="num messages">4</td>"#), "\(page)")
        // The message browser: each message, and the markup as text.
        for i in 1...3 { #expect(page.contains(#"<td class="value">hello \#(i)</td>"#)) }
        #expect(page.contains(#"<td class="value">&lt;img src=x onerror=alert(1)&gt;</td>"#))
        #expect(!page.contains("<img src=\"x\""))
        #expect(page.contains("4 message(s); next offset 4; high watermark 4"))
        // The groups table: the group with its lag.
        #expect(page.contains(#"<td>console-view</td><td class="num">1</td><td class="num">2</td>"#), "\(page)")
        #expect(page.contains(#"<span id="readiness" class="badge ok""#))

        // The screenshot, kept as an artifact.
        try FileManager.default.createDirectory(atPath: Self.artifactsDirectory, withIntermediateDirectories: true)
        let screenshot = Self.artifactsDirectory + "/console.png"
        try? FileManager.default.removeItem(atPath: screenshot)
        let shot = try await runProcess(Self.chromium, Self.chromiumArguments(profile: profile, url: url, then: ["--screenshot=\(screenshot)"]), timeout: 60)
        #expect(shot.status == 0)
        let png = FileManager.default.contents(atPath: screenshot) ?? Data()
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "no PNG at \(screenshot)")
        #expect(png.count > 20_000, "a blank page would be smaller")

        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
