import Foundation
import Logging
import MonologProcess
import MonologStorage
import MonologWriterProtocol
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Listens on `<data-dir>/writer.sock` (mode 0600) and serves gateways until graceful shutdown, then
/// lets the group committer finish what is queued before the process exits.
struct WriterServerService: Service {
    let directory: DataDirectory
    let committer: GroupCommitter
    let subscribers: WatermarkSubscribers
    let logger: Logger

    func run() async throws {
        let committer = self.committer
        let subscribers = self.subscribers
        let logger = self.logger
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(WriterFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(
                        WriterConnectionHandler(committer: committer, subscribers: subscribers, logger: logger)
                    )
                }
            }
            // The data-dir lock is held, so any socket file left here is stale (from a crash): replace it.
            .bind(unixDomainSocketPath: self.directory.writerSocketPath, cleanupExistingSocketFile: true)
            .get()
        // Only the owner may talk to the writer.
        chmod(self.directory.writerSocketPath, 0o600)
        self.logger.info("storage writer ready", metadata: ["socket": "\(self.directory.writerSocketPath)"])
        ReadinessNotice.announce()

        try await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
        self.logger.info("storage writer stopping: committing queued writes")
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread {
                committer.stopAndDrain()
                continuation.resume()
            }.start()
        }
        unlink(self.directory.writerSocketPath)
    }
}
