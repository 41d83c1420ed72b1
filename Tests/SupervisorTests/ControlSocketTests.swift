import Foundation
import MonologProcess
import NIOCore
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
        let server = ControlSocketServer(path: path) { request in
            if request == "slow" { try? await Task.sleep(for: .seconds(2)) }
            return request
        }
        try await server.start()
        defer { server.stop() }

        async let slow = ControlSocketClient.send("slow", path: path)
        try await Task.sleep(for: .milliseconds(100))
        let started = ContinuousClock.now
        #expect(try await ControlSocketClient.send("quick", path: path) == "quick")
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(try await slow == "slow")
    }

    @Test func aServerThatDoesNotAnswerCountsAsNotAnsweringByTheDeadline() async throws {
        let path = Self.socketPath()
        let server = ControlSocketServer(path: path) { _ in
            try? await Task.sleep(for: .seconds(3))
            return "too late"
        }
        try await server.start()
        defer { server.stop() }

        let started = ContinuousClock.now
        let request = ByteBuffer(string: "status\n")
        let answer = await SocketExchange.ask(
            try SocketAddress(unixDomainSocketPath: path), request: request, timeout: .milliseconds(300), isComplete: ControlLine.isWhole)
        #expect(answer == nil)
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func nothingListeningIsNotRunning() async {
        await #expect(throws: ControlSocketClient.Failure.self) {
            try await ControlSocketClient.send("status", path: Self.socketPath())
        }
    }
}
