import Foundation
import Logging
import MonologProcess
import Subprocess

/// One service under supervision: runs it, restarts it when it exits (under the restart policy), and
/// stops it on request with SIGTERM, then SIGKILL after its grace period. A restart asked for by an
/// operator is not a crash: it happens at once and does not count towards the restart limit.
actor SupervisedChild {
    enum Outcome: Sendable {
        /// Stopped on request.
        case stopped
        /// Exceeded the restart intensity; the tree must stop.
        case gaveUp(String)
    }

    /// What `monolog-supervisor status` shows of a service.
    struct Status: Sendable, Codable, Equatable {
        var service: String
        /// starting (spawned, not yet ready), running, restarting (waiting to respawn), stopped.
        var state: String
        var pid: Int32?
        var uptimeSeconds: Double?
        var restarts: Int
        /// What is failing while the process runs on (Litestream's last error until it recovers).
        var problem: String?

        enum CodingKeys: String, CodingKey {
            case service, state, pid, restarts, problem
            case uptimeSeconds = "uptime_seconds"
        }
    }

    let spec: ChildSpec
    private let process: ChildProcess
    private var policy: RestartPolicy
    private let logger: Logger
    private var pid: pid_t?
    private var ready = false
    private var startedAt: ContinuousClock.Instant?
    private var stopping = false
    private var restartRequested = false
    private var loop: Task<Outcome, Never>?
    private(set) var restarts = 0
    private var problem: String?

    init(spec: ChildSpec, process: ChildProcess, policy: RestartPolicy, logger: Logger) {
        self.spec = spec
        self.process = process
        self.policy = policy
        self.logger = logger
    }

    /// Starts the supervision loop; `onGiveUp` runs if the child crash-loops past the restart limit.
    func start(onGiveUp: @escaping @Sendable (String) -> Void) {
        self.loop = Task {
            let outcome = await self.superviseLoop()
            if case .gaveUp(let reason) = outcome { onGiveUp(reason) }
            return outcome
        }
    }

    /// Whether the child has announced it is ready since it last started.
    var isReady: Bool { self.ready }

    var status: Status {
        let state = self.stopping ? "stopped" : self.pid == nil ? "restarting" : self.ready ? "running" : "starting"
        let uptime = self.startedAt.map { ContinuousClock.now - $0 }
        return Status(
            service: self.spec.id,
            state: state,
            pid: self.pid,
            uptimeSeconds: uptime?.inSeconds,
            restarts: self.restarts,
            problem: self.problem
        )
    }

    /// Restarts the child at once (SIGTERM, then a fresh start), without counting it as a crash.
    /// Returns false when there is no running process to restart.
    func restart() -> Bool {
        guard !self.stopping, let pid = self.pid else { return false }
        self.restartRequested = true
        self.logger.info("restarting service on request", metadata: ["service": "\(self.spec.id)", "pid": "\(pid)"])
        kill(pid, SIGTERM)
        return true
    }

    /// Stops the child (if running) and waits for the supervision loop to end.
    func stop() async {
        self.stopping = true
        guard let loop = self.loop else { return }
        if let pid = self.pid {
            kill(pid, SIGTERM)
            let grace = self.spec.shutdownGrace
            let id = self.spec.id
            let logger = self.logger
            await withTaskGroup(of: Void.self) { group in
                group.addTask { _ = await loop.value }
                group.addTask {
                    try? await Task.sleep(for: grace)
                    guard !Task.isCancelled else { return }
                    logger.warning("service did not stop in time; killing it", metadata: ["service": "\(id)"])
                    kill(pid, SIGKILL)
                }
                await group.next()
                group.cancelAll()
            }
        } else {
            loop.cancel()  // interrupts a restart delay
        }
        _ = await loop.value
    }

    private func superviseLoop() async -> Outcome {
        while !self.stopping {
            let started = ContinuousClock.now
            let status: String
            do {
                let termination = try await self.process.run(
                    onSpawn: { pid in await self.spawned(pid) },
                    onReady: { await self.becameReady() },
                    onOutputLine: { line in await self.logged(line) }
                )
                status = "\(termination)"
            } catch {
                status = "failed to start: \(error)"
            }
            self.pid = nil
            self.ready = false
            self.startedAt = nil
            if self.stopping {
                self.logger.info("service stopped", metadata: ["service": "\(self.spec.id)", "status": "\(status)"])
                return .stopped
            }
            if self.restartRequested {
                self.restartRequested = false
                self.restarts += 1
                self.logger.info("service exited for its requested restart", metadata: ["service": "\(self.spec.id)", "status": "\(status)"])
                continue
            }
            let uptime = ContinuousClock.now - started
            switch self.policy.childExited(at: .now, uptime: uptime) {
            case .restart(let delay):
                self.restarts += 1
                self.logger.warning(
                    "service exited; restarting",
                    metadata: [
                        "service": "\(self.spec.id)", "status": "\(status)", "uptime": "\(uptime)",
                        "restart_in": "\(delay)", "restarts": "\(self.restarts)",
                    ]
                )
                try? await Task.sleep(for: delay)
            case .giveUp(let restarts, let window):
                let reason = "\(self.spec.id) exited (\(status)) after \(restarts) restarts within \(window); giving up"
                self.logger.critical("restart intensity exceeded", metadata: ["service": "\(self.spec.id)", "reason": "\(reason)"])
                return .gaveUp(reason)
            }
        }
        return .stopped
    }

    private func spawned(_ pid: pid_t) {
        self.pid = pid
        self.startedAt = .now
        self.logger.info("service started", metadata: ["service": "\(self.spec.id)", "pid": "\(pid)"])
        if let pidFile = self.spec.pidFile {
            _ = FileManager.default.createFile(atPath: pidFile, contents: Data("\(pid)\n".utf8), attributes: [.posixPermissions: 0o600])
        }
        // A stop that arrived while the process was being spawned still applies.
        if self.stopping { kill(pid, SIGTERM) }
    }

    /// Keeps the last error a Litestream child logged, until it logs that it recovered.
    private func logged(_ line: String) {
        guard self.spec.logsLitestreamErrors, let event = LitestreamLog.event(in: line) else { return }
        switch event {
        case .problem(let text): self.problem = text
        case .recovered: self.problem = nil
        }
    }

    private func becameReady() {
        self.ready = true
        self.logger.debug("service ready", metadata: ["service": "\(self.spec.id)"])
    }
}
