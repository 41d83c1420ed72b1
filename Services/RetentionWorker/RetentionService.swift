import Foundation
import Logging
import MonologConfig
import MonologProcess
import MonologWriterClient
import MonologWriterProtocol
import ServiceLifecycle

/// The retention loop: one pass at start, then one every `checkInterval`, until shutdown.
struct RetentionService: Service {
    let settings: RetentionSettings
    let writer: WriterClient
    let logger: Logger

    func run() async throws {
        defer { self.writer.shutdown() }
        guard self.settings.enabled else {
            self.logger.info("retention disabled; idle until shutdown")
            try? await gracefulShutdown()
            return
        }
        self.logger.info(
            "retention worker running",
            metadata: [
                "max_age": "\(DurationParser.format(self.settings.maxAge))",
                "check_interval": "\(DurationParser.format(self.settings.checkInterval))",
            ]
        )
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await self.runPass()
            let interval = self.settings.checkInterval
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// Asks the writer for one retention pass: each topic's retention.ms and retention.bytes (retention.max_age
    /// where a topic sets none) and compaction. A failure is logged and retried at the next interval.
    func runPass() async {
        let maxAgeMs = self.settings.maxAge.wholeMilliseconds
        let nowMs = wallClockMs()
        do {
            let result = try await self.writer.send(ApplyRetention(nowMs: nowMs, defaultRetentionMs: maxAgeMs))
            if result.batchesDeleted > 0 || result.batchesRewritten > 0 {
                self.logger.info(
                    "retention deleted old batches",
                    metadata: ["batches_deleted": "\(result.batchesDeleted)", "batches_compacted": "\(result.batchesRewritten)"]
                )
            }
        } catch {
            self.logger.warning("retention pass failed; will retry", metadata: ["error": "\(error)"])
        }
    }
}
