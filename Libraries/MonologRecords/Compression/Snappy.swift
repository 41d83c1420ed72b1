import CSnappy

/// snappy, in both forms Kafka clients send: raw snappy (librdkafka, franz-go) and xerial snappy-java
/// framing (the Java client, kafka-python, aiokafka). Reading accepts either; writing uses xerial,
/// which every client reads.
enum Snappy {
    /// `0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00`, then int32 version and int32 compatible version.
    static let xerialMagic: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]
    static let xerialHeaderSize = 16
    /// snappy-java's default block size.
    static let xerialBlockSize = 32 * 1024

    static func compressXerial(_ input: [UInt8]) throws(RecordBatchError) -> [UInt8] {
        var output = xerialMagic
        output += bigEndian(Int32(1)) + bigEndian(Int32(1))
        var offset = 0
        repeat {
            let end = min(offset + xerialBlockSize, input.count)
            let block = try compressRaw(Array(input[offset..<end]))
            output += bigEndian(Int32(block.count)) + block
            offset = end
        } while offset < input.count
        return output
    }

    static func compressRaw(_ input: [UInt8]) throws(RecordBatchError) -> [UInt8] {
        var length = snappy_max_compressed_length(input.count)
        var output = [UInt8](repeating: 0, count: length)
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                source.withMemoryRebound(to: CChar.self) { sourceChars in
                    destination.withMemoryRebound(to: CChar.self) { destinationChars in
                        snappy_compress(sourceChars.baseAddress, sourceChars.count, destinationChars.baseAddress, &length)
                    }
                }
            }
        }
        guard status == SNAPPY_OK else { throw .malformed("snappy: compression failed") }
        output.removeLast(output.count - length)
        return output
    }

    static func decompress(_ input: [UInt8], maxBytes: Int) throws(RecordBatchError) -> [UInt8] {
        guard input.count >= xerialHeaderSize, Array(input[0..<8]) == xerialMagic else {
            return try decompressRaw(input[...], maxBytes: maxBytes)
        }
        var output: [UInt8] = []
        var offset = xerialHeaderSize
        while offset < input.count {
            guard offset + 4 <= input.count else { throw .truncated("xerial snappy block length") }
            let length = Int(Int32(bigEndian: input[offset..<(offset + 4)].withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }))
            offset += 4
            guard length >= 0, offset + length <= input.count else { throw .malformed("xerial snappy block length \(length)") }
            output += try decompressRaw(input[offset..<(offset + length)], maxBytes: maxBytes - output.count)
            offset += length
        }
        return output
    }

    /// One raw snappy block. Its claimed length is checked against the limit before anything is allocated.
    static func decompressRaw(_ input: ArraySlice<UInt8>, maxBytes: Int) throws(RecordBatchError) -> [UInt8] {
        var length = 0
        let status = input.withUnsafeBufferPointer { source in
            source.withMemoryRebound(to: CChar.self) { snappy_uncompressed_length($0.baseAddress, $0.count, &length) }
        }
        guard status == SNAPPY_OK else { throw .malformed("snappy: corrupt data") }
        guard length <= maxBytes else { throw RecordCompression.tooLarge("snappy", maxBytes) }
        var output = [UInt8](repeating: 0, count: length)
        let result = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                source.withMemoryRebound(to: CChar.self) { sourceChars in
                    destination.withMemoryRebound(to: CChar.self) { destinationChars in
                        snappy_uncompress(sourceChars.baseAddress, sourceChars.count, destinationChars.baseAddress, &length)
                    }
                }
            }
        }
        guard result == SNAPPY_OK else { throw .malformed("snappy: corrupt data") }
        return output
    }
}

func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}
