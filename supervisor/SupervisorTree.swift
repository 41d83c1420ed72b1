import Foundation
import Logging
import MonologConfig
import Synchronization
import UnixSignals

/// The process tree: starts the storage writer, waits until its socket accepts, starts the gateways and
/// the retention worker, and on SIGTERM/SIGINT stops them in reverse (front ends first, writer last).
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

        var exitCode: Int32 = 0
        let stages = Set(self.specs.map(\.stage)).sorted()
        var started: [SupervisedChild] = []
        startup: for stage in stages {
            for child in children where child.spec.stage == stage {
                await child.start(onGiveUp: onGiveUp)
                started.append(child)
            }
            if stage == .storage {
                let socket = self.config.dataDirectory + "/writer.sock"
                let ready = await Readiness.wait(timeout: .seconds(60), abandon: { gaveUp.withLock { $0 != nil } }) {
                    Readiness.unixSocketAccepts(socket)
                }
                guard ready else {
                    self.logger.critical("storage writer did not become ready; stopping")
                    exitCode = 1
                    break startup
                }
                self.logger.info("storage writer accepting connections")
            }
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

    /// Stops stage by stage in reverse start order; services within a stage stop together.
    private func stop(_ children: [SupervisedChild]) async {
        for stage in Set(self.specs.map(\.stage)).sorted().reversed() {
            await withTaskGroup(of: Void.self) { group in
                for child in children where child.spec.stage == stage {
                    group.addTask { await child.stop() }
                }
            }
        }
    }

    /// Logs one line once both listeners accept connections, with the time since start.
    private func logWhenServing(startedAt: ContinuousClock.Instant) async {
        let kafka = self.config.kafkaAddress
        let http = self.config.httpAddress
        let ready = await Readiness.wait(timeout: .seconds(120)) {
            Readiness.tcpAccepts(host: kafka.connectHost, port: kafka.port)
                && Readiness.tcpAccepts(host: http.connectHost, port: http.port)
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
