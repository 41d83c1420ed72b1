import Foundation
import Logging
import Subprocess

/// One service under supervision: runs it, restarts it when it exits (under the restart policy), and
/// stops it on request with SIGTERM, then SIGKILL after its grace period.
actor SupervisedChild {
    enum Outcome: Sendable {
        /// Stopped on request.
        case stopped
        /// Exceeded the restart intensity; the tree must stop.
        case gaveUp(String)
    }

    let spec: ChildSpec
    private let process: ChildProcess
    private var policy: RestartPolicy
    private let logger: Logger
    private var pid: pid_t?
    private var stopping = false
    private var loop: Task<Outcome, Never>?
    private(set) var restarts = 0

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
                let termination = try await self.process.run { pid in await self.spawned(pid) }
                status = "\(termination)"
            } catch {
                status = "failed to start: \(error)"
            }
            self.pid = nil
            if self.stopping {
                self.logger.info("service stopped", metadata: ["service": "\(self.spec.id)", "status": "\(status)"])
                return .stopped
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
        self.logger.info("service started", metadata: ["service": "\(self.spec.id)", "pid": "\(pid)"])
        // A stop that arrived while the process was being spawned still applies.
        if self.stopping { kill(pid, SIGTERM) }
    }
}
