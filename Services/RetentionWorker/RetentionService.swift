import Foundation
import Logging
import MonologConfig
import MonologWriterClient
import ServiceLifecycle

/// The retention loop: one pass at start, then one every `checkInterval`, until shutdown.
struct RetentionService: Service {
    let settings: RetentionSettings
    let writer: WriterClient
    let logger: Logger

    func run() async throws {
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

    /// Asks the writer to delete what has aged out. A failure is logged and retried at the next interval.
    func runPass() async {
        let maxAgeMs = self.settings.maxAge.components.seconds * 1000
            + self.settings.maxAge.components.attoseconds / 1_000_000_000_000_000
        let cutoff = Int64(Date().timeIntervalSince1970 * 1000) - maxAgeMs
        do {
            let deleted = try await self.writer.deleteRecords(olderThan: cutoff)
            if deleted > 0 {
                self.logger.info("retention deleted old batches", metadata: ["batches": "\(deleted)"])
            }
        } catch {
            self.logger.warning("retention pass failed; will retry", metadata: ["error": "\(error)"])
        }
    }
}
