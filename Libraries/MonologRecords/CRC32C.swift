import CCRC32C
import NIOCore

/// CRC-32C (Castagnoli), the checksum of RecordBatch v2. Backed by the CPU's crc32 instruction where present.
public enum CRC32C {
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        monolog_crc32c(crc, bytes.baseAddress, bytes.count)
    }

    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        let array = Array(bytes)
        return array.withUnsafeBytes { checksum($0) }
    }

    /// Checksum of `length` readable bytes of `buffer` starting at `index`, without copying them.
    public static func checksum(_ buffer: ByteBuffer, at index: Int, length: Int) -> UInt32? {
        buffer.withUnsafeReadableBytes { raw -> UInt32? in
            let start = index - buffer.readerIndex
            guard start >= 0, length >= 0, start + length <= raw.count else { return nil }
            return checksum(UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)]))
        }
    }

}

/// The table-driven implementation alone, for tests that compare it with the hardware path.
public enum CRC32CPortable {
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        monolog_crc32c_portable(0, bytes.baseAddress, bytes.count)
    }
}
