import Testing

@testable import PhoenixPubSub

/// The head of a broadcast as the BEAM writes it, read in place: the topic and where the message
/// starts, and nil for any byte of the head changed or a buffer cut short.
@Suite struct ForwardToLocalTests {
    /// `{forward_to_local, <<"latency">>, ` then a message byte.
    let broadcast = ForwardToLocal.head + [0, 0, 0, 7] + Array("latency".utf8) + [97]

    @Test func headWordsAreTheHead() {
        let (first, second, third) = ForwardToLocal.headWords
        let words = [first, second, third].map { word in (0..<8).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
        #expect(Array(ForwardToLocal.head[0..<8]) == words[0])
        #expect(Array(ForwardToLocal.head[8..<16]) == words[1])
        #expect(Array(ForwardToLocal.head[14..<22]) == words[2])
        #expect(ForwardToLocal.head.count == ForwardToLocal.headLength)
    }

    @Test func theTopicAndTheMessageAreReadInPlace() throws {
        let (topic, message) = try #require(ForwardToLocal.header(broadcast, at: 0))
        #expect(topic == "latency" && message == broadcast.count - 1)
        let shifted = [9, 9] + broadcast
        #expect(
            ForwardToLocal.header(shifted, at: 2).map { [$0.topic, "\($0.message)"] }
                == ["latency", "\(shifted.count - 1)"])
    }

    @Test func anyOtherHeadOrAShortBufferIsLeftToTheDecoder() {
        for index in 0..<ForwardToLocal.head.count {
            var changed = broadcast
            changed[index] ^= 0x20
            #expect(ForwardToLocal.header(changed, at: 0) == nil, "byte \(index) changed")
        }
        for length in 0..<(broadcast.count - 1) {
            #expect(ForwardToLocal.header(Array(broadcast.prefix(length)), at: 0) == nil, "cut at \(length)")
        }
        #expect(ForwardToLocal.header(broadcast, at: -1) == nil)
    }
}
