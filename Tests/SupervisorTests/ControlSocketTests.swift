import Foundation
import MonologProcess
import NIOCore
import Synchronization
import Testing

@testable import Supervisor

/// The control socket over real Unix-domain sockets: a request line is answered by the supervisor's
/// handler, requests are served side by side, the socket is private to its owner, and a client never
/// waits past its deadline for a server that does not answer.
@Suite struct ControlSocketTests {
    static func socketPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("control-\(UUID().uuidString.prefix(8)).sock").path
    }

    @Test func aRequestLineIsAnsweredByTheHandler() async throws {
        let path = Self.socketPath()
        let server = ControlSocketServer(path: path) { request in "you said \(request)" }
        try await server.start()
        defer { server.stop() }

        #expect(try await ControlSocketClient.send("status", path: path) == "you said status")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func aSlowRequestDoesNotHoldUpTheNextOne() async throws {
        let path = Self.socketPath()
        // The slow request is answered only once the quick one has been (or after 20 s): a server that
        // took requests one at a time would answer the quick one after 20 s, too late for the check.
        let quickAnswered = Atomic<Bool>(false)
        let server = ControlSocketServer(path: path) { request in
            guard request == "slow" else { return request }
            let deadline = ContinuousClock.now + .seconds(20)
            while !quickAnswered.load(ordering: .acquiring), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
            return quickAnswered.load(ordering: .acquiring) ? "slow, after quick" : "slow, alone"
        }
        try await server.start()
        defer { server.stop() }

        async let slow = ControlSocketClient.send("slow", path: path)
        try await Task.sleep(for: .milliseconds(100))
        #expect(try await ControlSocketClient.send("quick", path: path) == "quick")
        quickAnswered.store(true, ordering: .releasing)
        #expect(try await slow == "slow, after quick")
    }

    @Test func aServerThatDoesNotAnswerCountsAsNotAnsweringByTheDeadline() async throws {
        let path = Self.socketPath()
        let server = ControlSocketServer(path: path) { _ in
            try? await Task.sleep(for: .seconds(20))
            return "too late"
        }
        try await server.start()
        defer { server.stop() }

        let started = ContinuousClock.now
        let request = ByteBuffer(string: "status\n")
        let answer = await SocketExchange.ask(
            try SocketAddress(unixDomainSocketPath: path), request: request, timeout: .milliseconds(300), isComplete: ControlLine.isWhole)
        #expect(answer == nil)
        #expect(ContinuousClock.now - started < .seconds(15), "the client waited for the server instead of its deadline")
    }

    @Test func nothingListeningIsNotRunning() async {
        await #expect(throws: ControlSocketClient.Failure.self) {
            try await ControlSocketClient.send("status", path: Self.socketPath())
        }
    }
}
