import Foundation
import Logging
import MonologConfig
import Synchronization
import UnixSignals

/// The process tree: starts the storage writer, waits until it says it is ready, starts the gateways and
/// the retention worker, and on SIGTERM/SIGINT (or `stop` on the control socket) stops them in reverse
/// (front ends first, writer last). The control socket also answers `status` and `restart <service>`.
struct SupervisorTree {
    enum Event: Sendable {
        case shutdownRequested(String)
        case gaveUp(String)
    }

    let config: MonologConfiguration
    let specs: [ChildSpec]
    let makePolicy: @Sendable () -> RestartPolicy
    let binDirectory: String
    let logger: Logger

    /// Runs until a signal or a crash loop; returns the process exit code.
    func run() async -> Int32 {
        let startedAt = ContinuousClock.now
        let (events, eventSink) = AsyncStream.makeStream(of: Event.self)
        let signals = Task {
            for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                eventSink.yield(.shutdownRequested("\(signal)"))
            }
        }
        defer { signals.cancel() }

        let output = OutputPrefixer()
        let children = self.specs.map { spec in
            SupervisedChild(
                spec: spec,
                process: ChildProcess(spec: spec, binDirectory: self.binDirectory, output: output),
                policy: self.makePolicy(),
                logger: self.logger
            )
        }
        let gaveUp = Mutex<String?>(nil)
        let onGiveUp: @Sendable (String) -> Void = { reason in
            gaveUp.withLock { $0 = $0 ?? reason }
            eventSink.yield(.gaveUp(reason))
        }

        let control = ControlSocketServer(path: self.config.dataDirectory + "/supervisor.sock") { request in
            await Self.answer(request, children: children, requestStop: { eventSink.yield(.shutdownRequested("stop command")) })
        }
        do {
            try await control.start()
        } catch {
            self.logger.error("control socket unavailable; status, restart and stop commands will not work", metadata: ["error": "\(error)"])
        }
        defer { control.stop() }

        var exitCode: Int32 = 0
        let stages = ChildSpec.Stage.startOrder.filter { stage in self.specs.contains { $0.stage == stage } }
        var started: [SupervisedChild] = []
        startup: for stage in stages {
            let members = children.filter { $0.spec.stage == stage }
            for child in members {
                await child.start(onGiveUp: onGiveUp)
                started.append(child)
            }
            // The next stage starts once every service of this one has said it is ready (READY=1).
            let ready = await Readiness.wait(timeout: .seconds(60), abandon: { gaveUp.withLock { $0 != nil } }) {
                for child in members where !(await child.isReady) { return false }
                return true
            }
            guard ready else {
                self.logger.critical("services did not become ready; stopping", metadata: ["services": "\(members.map(\.spec.id))"])
                exitCode = 1
                break startup
            }
            if stage == .storage { self.logger.info("storage writer accepting connections") }
        }
        if exitCode == 0 {
            let readiness = Task { await self.logWhenServing(startedAt: startedAt) }
            defer { readiness.cancel() }
            for await event in events {
                switch event {
                case .shutdownRequested(let signal):
                    self.logger.info("shutting down", metadata: ["signal": "\(signal)"])
                case .gaveUp(let reason):
                    self.logger.critical("a service is crash-looping; stopping everything", metadata: ["reason": "\(reason)"])
                    exitCode = 1
                }
                break
            }
        }
        await self.stop(started)
        self.logger.info("all services stopped", metadata: ["exit_code": "\(exitCode)"])
        return exitCode
    }

    /// Stops stage by stage (front ends, the writer, then Litestream); services within a stage stop together.
    private func stop(_ children: [SupervisedChild]) async {
        for stage in ChildSpec.Stage.stopOrder {
            await withTaskGroup(of: Void.self) { group in
                for child in children where child.spec.stage == stage {
                    group.addTask { await child.stop() }
                }
            }
        }
    }

    /// Answers one control-socket request.
    static func answer(_ request: String, children: [SupervisedChild], requestStop: @Sendable () -> Void) async -> String {
        let words = request.split(separator: " ").map(String.init)
        switch words.first {
        case "status":
            var services: [SupervisedChild.Status] = []
            for child in children { services.append(await child.status) }
            return ControlAnswer.encode(ControlAnswer(supervisorPID: getpid(), services: services))
        case "restart" where words.count == 2:
            guard let child = children.first(where: { $0.spec.id == words[1] }) else {
                let names = children.map(\.spec.id).joined(separator: ", ")
                return ControlAnswer.encode(ControlAnswer(error: "no service '\(words[1])'; the services are \(names)"))
            }
            guard await child.restart() else {
                return ControlAnswer.encode(ControlAnswer(error: "\(words[1]) is not running; it is already being restarted"))
            }
            return ControlAnswer.encode(ControlAnswer(restarted: words[1]))
        case "stop":
            requestStop()
            return ControlAnswer.encode(ControlAnswer(stopping: true))
        default:
            return ControlAnswer.encode(ControlAnswer(error: "unknown request '\(request)'; expected status, restart <service> or stop"))
        }
    }

    /// Logs one line once a Kafka Metadata request is answered and the HTTP port accepts, with the time
    /// since start: the start-up time a client sees.
    private func logWhenServing(startedAt: ContinuousClock.Instant) async {
        let kafka = self.config.kafkaAddress
        let http = self.config.httpAddress
        let securityProtocol = self.config.security.kafkaProtocol
        let ready = await Readiness.wait(timeout: .seconds(120)) {
            guard await Readiness.kafkaAnswers(host: kafka.connectHost, port: kafka.port, securityProtocol: securityProtocol) else { return false }
            return await Readiness.tcpAccepts(host: http.connectHost, port: http.port)
        }
        guard ready, !Task.isCancelled else { return }
        self.logger.info(
            "monolog ready",
            metadata: [
                "kafka": "\(kafka)", "http": "\(http)", "startup": "\(ContinuousClock.now - startedAt)",
            ]
        )
    }
}
