import NIOCore
import NIOEmbedded
import Testing

@testable import ErlangDistribution

/// `ReadPacing` on a channel whose clock the test moves: reads pass at once below a flood, wait
/// the pause during one, and at once again after a cycle that filled the reads or when the
/// flood is over.
@Suite struct ReadPacingTests {
    /// A channel with the pacing between the head (where a read that got through is counted)
    /// and the tail (where the channel asks for reads).
    struct Paced {
        let channel = EmbeddedChannel()
        let counter = ReadCounter()
        let pacing = ReadPacing(pause: .milliseconds(1), floodRate: 20_000_000, window: .milliseconds(10))

        init() throws {
            try channel.pipeline.syncOperations.addHandler(counter)
            try channel.pipeline.syncOperations.addHandler(pacing)
        }

        /// One read cycle of `bytes`, `after` the previous one, then the read the channel asks
        /// for next.
        func cycle(_ bytes: Int, after: TimeAmount) {
            channel.embeddedEventLoop.advanceTime(by: after)
            channel.pipeline.fireChannelRead(ByteBuffer(repeating: 0, count: bytes))
            channel.pipeline.fireChannelReadComplete()
            channel.pipeline.read()
        }

        /// Less than a whole read buffer: a cycle that took it is paced during a flood.
        static let partial = 48 * 1024

        /// 48 KiB a millisecond for a window and more: pacing from then on; the read that waits
        /// at the end is let through.
        func flood() throws {
            for _ in 0..<11 { cycle(Self.partial, after: .milliseconds(1)) }
            try #require(pacing.isPacing)
            channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        }
    }

    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        var reads = 0

        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    @Test func aTrickleIsReadAsItComes() throws {
        let paced = try Paced()
        // 10,000 broadcasts a second: 6 MB/s.
        for _ in 0..<50 { paced.cycle(600, after: .microseconds(100)) }
        #expect(paced.counter.reads == 50)
        #expect(!paced.pacing.isPacing)
    }

    @Test func aFloodIsReadAfterEachPause() throws {
        let paced = try Paced()
        // 48 MB/s: a flood from the end of the first window on.
        try paced.flood()
        let before = paced.counter.reads
        paced.cycle(Paced.partial, after: .zero)
        paced.channel.pipeline.read()
        #expect(paced.counter.reads == before, "a read got through during the pause")
        paced.channel.embeddedEventLoop.advanceTime(by: .microseconds(999))
        #expect(paced.counter.reads == before)
        paced.channel.embeddedEventLoop.advanceTime(by: .microseconds(1))
        #expect(paced.counter.reads == before + 1, "the two reads asked for during the pause are one")
    }

    /// A cycle that filled a whole read buffer (64 KiB) is followed at once: more is waiting.
    @Test func aCycleThatFilledAReadIsFollowedAtOnce() throws {
        let paced = try Paced()
        try paced.flood()
        var before = paced.counter.reads
        paced.cycle(64 * 1024, after: .zero)
        #expect(paced.counter.reads == before + 1, "a whole read buffer")
        before = paced.counter.reads
        paced.cycle(64 * 1024 - 1, after: .zero)
        #expect(paced.counter.reads == before, "a byte short of it: paced")
    }

    @Test func theEndOfAFloodEndsThePauses() throws {
        let paced = try Paced()
        try paced.flood()
        // Back to a trickle: at the end of the window that saw it, reads pass at once again.
        for _ in 0..<11 {
            paced.cycle(600, after: .milliseconds(1))
            paced.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        }
        #expect(!paced.pacing.isPacing)
        let before = paced.counter.reads
        paced.cycle(600, after: .milliseconds(1))
        #expect(paced.counter.reads == before + 1)
    }

    /// A connection quiet for long (a peer whose net_ticktime is an hour ticks every 15
    /// minutes) has a window as long as the quiet: its rate is still worked out, not trapped on.
    @Test func aReadAfterAnHourOfQuietIsReadAtOnce() throws {
        let paced = try Paced()
        paced.cycle(600, after: .zero)
        paced.cycle(600, after: .hours(1))
        #expect(!paced.pacing.isPacing)
        try paced.flood()
        paced.cycle(600, after: .hours(24 * 365))
        #expect(!paced.pacing.isPacing, "a year's quiet ends the flood")
    }

    @Test func aConnectionClosedDuringAPauseReadsNoMore() throws {
        let paced = try Paced()
        try paced.flood()
        paced.cycle(Paced.partial, after: .zero)
        let before = paced.counter.reads
        _ = try paced.channel.finish()
        paced.channel.embeddedEventLoop.advanceTime(by: .milliseconds(5))
        #expect(paced.counter.reads == before)
    }
}
