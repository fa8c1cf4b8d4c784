import CompressNIO
import NIOCore

/// Tag 80: a zlib-compressed term whose inflated size is declared up front.
enum CompressedTerm {
    /// Inflates into a buffer of the declared size, so a zip bomb fails at the limit instead of
    /// growing memory.
    static func inflate(
        _ input: [UInt8], tagAt tagOffset: Int, limits: TermDecodingLimits
    ) throws(TermDecodingError) -> (bytes: [UInt8], end: Int) {
        let headerEnd = tagOffset + 5
        guard headerEnd <= input.count else {
            throw TermDecodingError(.truncated(needed: 5, available: input.count - tagOffset), at: tagOffset)
        }
        let declared = input[(tagOffset + 1)..<headerEnd].reduce(0) { $0 << 8 | Int($1) }
        guard declared <= limits.maxDecompressedBytes else {
            throw TermDecodingError(
                .decompressedTooLarge(declared: declared, limit: limits.maxDecompressedBytes), at: tagOffset)
        }
        var compressed = ByteBuffer(bytes: input[headerEnd...])
        var inflated = ByteBufferAllocator().buffer(capacity: max(declared, 1))
        do {
            try compressed.decompress(to: &inflated, with: .zlib())
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw TermDecodingError(.decompressedLargerThanDeclared(declared: declared), at: tagOffset)
        } catch {
            throw TermDecodingError(.corruptCompressedData, at: headerEnd)
        }
        guard inflated.readableBytes == declared else {
            throw TermDecodingError(
                .decompressedSizeMismatch(declared: declared, actual: inflated.readableBytes), at: tagOffset)
        }
        return (Array(inflated.readableBytesView), headerEnd + compressed.readerIndex)
    }
}
