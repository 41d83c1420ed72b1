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
        // Every connection is served on the committer's loop: reading, committing and answering a
        // request never changes thread (see GroupCommitter).
        let channel = try await ServerBootstrap(group: self.committer.eventLoop)
            .serverChannelOption(.backlog, value: 256)
            // Large appends (a 1 MB Kafka batch) are read in a few large reads rather than many of 64 KiB.
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 16 * 1024, maximum: 1024 * 1024))
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FlushCoalescingHandler())
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
        await committer.stopAndDrain()
        unlink(self.directory.writerSocketPath)
    }
}
