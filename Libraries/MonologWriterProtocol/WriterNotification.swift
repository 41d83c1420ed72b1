/// What the storage writer tells a subscribed client after its commits.
public enum WriterNotification: Sendable {
    /// Subscribed (again, after a reconnection): what happened while not subscribed was not heard, so
    /// anything derived from the database must be read again.
    case resubscribed
    /// These partitions' high watermark or log start moved.
    case watermarks([PartitionWatermark])
    /// A user's credentials or token were added, changed or removed.
    case usersChanged
}
