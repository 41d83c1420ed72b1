import Logging
import MonologProcess
import MonologWriterClient
import MonologWriterProtocol
import ServiceLifecycle

/// Every `transaction.abort.timed.out.transaction.cleanup.interval.ms`, asks the storage writer to abort
/// transactions open past their timeout (bumping their producers' epochs, which fences them) and to
/// forget transactional ids idle past `transactional.id.expiration.ms`. The writer finds them in the
/// database, so after a gateway restart the next pass covers transactions opened before it.
struct TransactionTimeoutService: Service {
    let writer: WriterClient
    let interval: Duration
    let expirationMs: Int64
    let logger: Logger

    func run() async throws {
        // The wait between passes ends at once on a graceful shutdown, so the gateway stops promptly.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: self.interval)
                await self.check()
            }
        }
    }

    private func check() async {
        do {
            let result = try await self.writer.send(ExpireTransactions(nowMs: wallClockMs(), expirationMs: self.expirationMs))
            if result.aborted > 0 || result.forgotten > 0 {
                self.logger.info(
                    "transactions expired",
                    metadata: ["transactions.aborted": "\(result.aborted)", "transactional_ids.forgotten": "\(result.forgotten)"]
                )
            }
        } catch {
            self.logger.debug("transaction timeout check failed; the next pass retries", metadata: ["error": "\(error)"])
        }
    }
}
