import ArgumentParser
import Foundation
import MonologConfig

/// The control socket of the supervisor running on the configured data directory.
private func controlSocketPath(_ options: CommonOptions) throws -> String {
    let config = try resolveOrExit(options)
    return URL(fileURLWithPath: config.dataDirectory).standardizedFileURL.path + "/supervisor.sock"
}

/// Sends one request; prints a clear message and exits 1 when no supervisor runs there.
private func ask(_ request: String, _ options: CommonOptions) async throws -> ControlAnswer {
    let path = try controlSocketPath(options)
    let line: String
    do {
        line = try await ControlSocketClient.send(request, path: path)
    } catch {
        FileHandle.standardError.write(Data("no monolog-supervisor is running for this data directory (nothing answers on \(path))\n".utf8))
        throw ExitCode(1)
    }
    guard let answer = ControlAnswer.decode(line) else {
        FileHandle.standardError.write(Data("unexpected answer from the supervisor: \(line)\n".utf8))
        throw ExitCode(1)
    }
    if let error = answer.error {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        throw ExitCode(1)
    }
    return answer
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each service of the running supervisor: state, pid, uptime and restarts.",
        discussion: "States: starting (spawned, not ready yet), running, restarting (waiting to respawn), stopped."
    )

    @OptionGroup var options: CommonOptions

    @Flag(help: "Print the supervisor's JSON answer instead of a table.")
    var json = false

    func run() async throws {
        let answer = try await ask("status", self.options)
        if self.json {
            print(ControlAnswer.encode(answer))
            return
        }
        print("supervisor pid \(answer.supervisorPID.map(String.init) ?? "?")")
        let rows = (answer.services ?? []).map { service in
            [
                service.service, service.state, service.pid.map(String.init) ?? "-",
                service.uptimeSeconds.map { DurationParser.format(.seconds(Int64($0))) } ?? "-", "\(service.restarts)",
            ]
        }
        let header = ["SERVICE", "STATE", "PID", "UPTIME", "RESTARTS"]
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            print(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
        for service in answer.services ?? [] {
            if let problem = service.problem { print("\(service.service): \(problem)") }
        }
    }
}

struct RestartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart",
        abstract: "Restart one service of the running supervisor (SIGTERM, then a fresh start).",
        discussion: """
            Services: storage-writer, kafka-gateway, http-gateway, retention-worker. A requested restart does \\
            not count towards the restart limit. Clients reconnect by themselves; nothing acknowledged is lost.
            """
    )

    @Argument(help: "The service to restart.")
    var service: String

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let answer = try await ask("restart \(self.service)", self.options)
        print("restarting \(answer.restarted ?? self.service)")
    }
}

struct StopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop the running supervisor and every service, gateways first, the writer last.",
        discussion: "Returns once the supervisor has let go of the data directory (at most 30 s)."
    )

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let path = try controlSocketPath(self.options)
        _ = try await ask("stop", self.options)
        // The supervisor removes its socket as it exits.
        let deadline = Date().addingTimeInterval(30)
        while FileManager.default.fileExists(atPath: path), Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        guard !FileManager.default.fileExists(atPath: path) else {
            FileHandle.standardError.write(Data("the supervisor did not stop within 30 s\n".utf8))
            throw ExitCode(1)
        }
        print("stopped")
    }
}
