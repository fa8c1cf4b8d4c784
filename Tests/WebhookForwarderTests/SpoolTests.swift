import Foundation
import Logging
import Testing

@testable import WebhookForwarder

/// The spool: what `append` confirmed survives a reopen, completions are not replayed, a torn
/// tail is cut off, compaction keeps exactly the pending deliveries, files are private.
@Suite struct SpoolTests {
    func draft(_ index: Int, endpoint: String = "hook") -> DeliveryDraft {
        DeliveryDraft(
            endpoint: endpoint, idempotencyKey: "key-\(index)", alertID: "alert-\(index % 7)",
            createdAt: 1_700_000_000 + Double(index), body: Array("{\"n\":\(index)}".utf8))
    }

    @Test func confirmedDeliveriesSurviveAReopenAndCompletedOnesDoNot() async throws {
        let setup = try ForwarderSetup()
        var spool: DeliverySpool? = try DeliverySpool(directory: setup.spool, logger: setup.log.logger())
        let first = try #require(spool)
        let appended = try await first.append((0..<10).map { draft($0) })
        #expect(appended.map(\.id) == Array(1...10))
        #expect(appended[3].body == Array("{\"n\":3}".utf8))
        for delivery in appended where delivery.id % 2 == 0 { first.complete(delivery.id) }
        await first.close()
        spool = nil
        let reopened = try DeliverySpool(directory: setup.spool, logger: setup.log.logger())
        #expect(reopened.recovered == appended.filter { $0.id % 2 == 1 })
        let next = try await reopened.append([draft(10)])
        #expect(next.first?.id == 11, "ids keep growing across restarts")
        await reopened.close()
    }

    @Test func filesArePrivateAndASecondProcessIsRefused() async throws {
        let setup = try ForwarderSetup()
        let spool = try DeliverySpool(directory: setup.spool, logger: setup.log.logger())
        _ = try await spool.append([draft(1)])
        let file = try FileManager.default.attributesOfItem(atPath: spool.path)
        #expect((file[.posixPermissions] as? Int) == 0o600)
        let directory = try FileManager.default.attributesOfItem(atPath: setup.spool)
        #expect((directory[.posixPermissions] as? Int) == 0o700)
        #expect {
            _ = try DeliverySpool(directory: setup.spool, logger: setup.log.logger())
        } throws: { error in
            "\(error)".contains("is in use by another exesdb_exporter")
        }
        await spool.close()
        let again = try DeliverySpool(directory: setup.spool, logger: setup.log.logger())
        await again.close()
    }

    @Test func aTornTailIsCutOffAndEverythingBeforeItIsKept() async throws {
        let setup = try ForwarderSetup()
        let spool = try DeliverySpool(directory: setup.spool, logger: setup.log.logger())
        let appended = try await spool.append((0..<3).map { draft($0) })
        await spool.close()
        // A crash in the middle of the next write: half a record at the end.
        var half: [UInt8] = []
        SpoolRecord.delivery(
            SpooledDelivery(id: 4, endpoint: "hook", idempotencyKey: "k", alertID: "a", createdAt: 1, body: [1, 2, 3])
        )
        .encode(into: &half)
        let handle = try #require(FileHandle(forWritingAtPath: spool.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: half.prefix(half.count / 2))
        try handle.close()
        let sizeWithTear = try #require(try FileManager.default.attributesOfItem(atPath: spool.path)[.size] as? Int)

        let reopened = try DeliverySpool(directory: setup.spool, logger: setup.log.logger())
        #expect(reopened.recovered == appended)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: spool.path)[.size] as? Int)
        #expect(size == sizeWithTear - half.count / 2)
        #expect(setup.log.text.contains("a record cut short"))
        _ = try await reopened.append([draft(9)])
        await reopened.close()
        #expect(try DeliverySpool(directory: setup.spool, logger: setup.log.logger()).recovered.count == 4)
    }

    @Test func aDamagedRecordIsNotReplayed() async throws {
        let setup = try ForwarderSetup()
        let spool = try DeliverySpool(directory: setup.spool, logger: setup.log.logger())
        _ = try await spool.append([draft(0), draft(1)])
        await spool.close()
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: spool.path)))
        bytes[bytes.count - 3] ^= 0x40  // inside the last record's body
        try Data(bytes).write(to: URL(fileURLWithPath: spool.path))
        let reopened = try DeliverySpool(directory: setup.spool, logger: setup.log.logger())
        #expect(reopened.recovered.map(\.idempotencyKey) == ["key-0"])
        await reopened.close()
    }

    @Test func aFileThatIsNotASpoolIsRefusedWithItsPath() throws {
        let setup = try ForwarderSetup()
        try FileManager.default.createDirectory(atPath: setup.spool, withIntermediateDirectories: true)
        try Data("hello world".utf8).write(to: URL(fileURLWithPath: "\(setup.spool)/deliveries.spool"))
        #expect {
            _ = try DeliverySpool(directory: setup.spool, logger: setup.log.logger())
        } throws: { error in
            "\(error)".contains("\(setup.spool)/deliveries.spool is not a webhook spool file")
        }
    }

    @Test func compactionKeepsExactlyThePendingDeliveries() async throws {
        let setup = try ForwarderSetup()
        let spool = try DeliverySpool(directory: setup.spool, compactionThreshold: 4096, logger: setup.log.logger())
        var pending: [SpooledDelivery] = []
        for round in 0..<50 {
            let batch = try await spool.append((0..<10).map { draft(round * 10 + $0) })
            for delivery in batch {
                if delivery.id % 9 == 0 { pending.append(delivery) } else { spool.complete(delivery.id) }
            }
        }
        _ = try await spool.append([])  // waits for the writes before it
        let size = try #require(try FileManager.default.attributesOfItem(atPath: spool.path)[.size] as? Int)
        #expect(
            size < 16384,
            "500 deliveries (46 kB uncompacted) of which \(pending.count) pending, compacted: \(size) bytes")
        await spool.close()
        let reopened = try DeliverySpool(directory: setup.spool, logger: setup.log.logger())
        #expect(reopened.recovered == pending)
        #expect(!FileManager.default.fileExists(atPath: spool.path + ".compacting"))
        await reopened.close()
    }

    @Test func concurrentAppendsShareSyncsAndAllSurvive() async throws {
        let setup = try ForwarderSetup()
        let spool = try DeliverySpool(directory: setup.spool, logger: setup.log.logger())
        let ids = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for task in 0..<20 {
                group.addTask {
                    var ids: [UInt64] = []
                    for index in 0..<10 { ids += try await spool.append([draft(task * 10 + index)]).map(\.id) }
                    return ids
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(Set(ids).count == 200)
        await spool.close()
        let reopened = try DeliverySpool(directory: setup.spool, logger: setup.log.logger())
        #expect(Set(reopened.recovered.map(\.id)) == Set(ids))
        await reopened.close()
    }
}
