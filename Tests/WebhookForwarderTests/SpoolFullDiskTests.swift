import BEAMPeers
import Foundation
import MetricsTestKit
import Testing

@testable import WebhookForwarder

/// A spool on a full disk (issue 14, item 3), on a real tmpfs that runs out of space: what could
/// not be written stays in memory and is written when space returns, completions that cannot be
/// appended mark their records done in place, so a restart sends nothing that was delivered
/// again; the condition and its end are logged once each and every failed write is counted.
@Suite struct SpoolFullDiskTests {
    func draft(_ index: Int, bodySize: Int = 1000) -> DeliveryDraft {
        DeliveryDraft(
            endpoint: "hook", idempotencyKey: "key-\(index)", alertID: "alert-\(index)",
            createdAt: 1_700_000_000 + Double(index), body: Array(repeating: UInt8(ascii: "x"), count: bodySize))
    }

    /// Appends one delivery at a time until `count`; returns the ones confirmed on disk and the
    /// ones sent from memory only.
    func appendUntilFull(
        _ spool: DeliverySpool, count: Int, bodySize: Int = 1000
    ) async -> (durable: [SpooledDelivery], inMemory: [SpooledDelivery]) {
        var durable: [SpooledDelivery] = []
        var inMemory: [SpooledDelivery] = []
        for index in 0..<count {
            guard let buffered = try? spool.buffer([draft(index, bodySize: bodySize)]) else { continue }
            do {
                try await spool.waitUntilDurable(buffered.batch)
                durable += buffered.deliveries
            } catch {
                inMemory += buffered.deliveries
            }
        }
        return (durable, inMemory)
    }

    func writeFailures(_ setup: ForwarderSetup) -> Int64 {
        (try? setup.metrics.expectCounter(SpoolMetrics.writeFailuresName).totalValue) ?? 0
    }

    /// Delivered while the disk is full and the spool closed so: the records are marked done in
    /// place and a restart does not recover them. Small deliveries, so that their completions
    /// need more than the free end of the file's last page. Before, those completions were lost
    /// with the failed writes: 405 of 408 delivered ones were recovered, to be sent again.
    @Test func completionsThatCannotBeAppendedMarkTheirRecordsDone() async throws {
        let setup = try ForwarderSetup()
        let disk = try await SmallDisk.mount(at: setup.spool, size: "256k")
        defer { Task { await disk.unmount() } }
        try disk.fill(leaving: 64 << 10)
        let spool = try DeliverySpool(
            directory: setup.spool, logger: setup.log.logger(), metrics: SpoolMetrics(factory: setup.metrics))
        let (durable, inMemory) = await appendUntilFull(spool, count: 600, bodySize: 100)
        #expect(!durable.isEmpty && !inMemory.isEmpty, "\(durable.count) on disk, \(inMemory.count) not")
        // Not a page left, so that nothing can be rewritten, even a spool with nothing pending.
        try disk.fill(leaving: 0)
        for delivery in durable + inMemory { spool.complete(delivery.id) }
        await spool.close()

        let reopened = try DeliverySpool(directory: setup.spool, logger: setup.log.logger())
        #expect(
            reopened.recovered.isEmpty, "\(reopened.recovered.count) of \(durable.count) delivered would be sent again")
        await reopened.close()
        print(
            "full disk: \(durable.count) small deliveries on disk, all delivered, \(reopened.recovered.count) recovered"
        )
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: spool.path)))
        var offset = SpoolRecord.header.count
        var done = 0
        while let (_, isDone, next) = SpoolRecord.decode(bytes, at: offset) {
            if isDone { done += 1 }
            offset = next
        }
        #expect(done == durable.count, "every record written before the disk filled is marked done")
        #expect(setup.log.lines(level: .error, containing: "cannot write webhook deliveries to the spool").count == 1)
        #expect(writeFailures(setup) >= 1)
        await disk.unmount()
    }

    /// What the spool took while the disk was full is written once space returns, and that is
    /// said once: a restart then recovers it. Before, it was forgotten (sent from memory only).
    @Test func whatWasTakenWhileTheDiskWasFullIsWrittenWhenSpaceReturns() async throws {
        let setup = try ForwarderSetup()
        let disk = try await SmallDisk.mount(at: setup.spool, size: "256k")
        defer { Task { await disk.unmount() } }
        try disk.fill(leaving: 16 << 10)
        let spool = try DeliverySpool(
            directory: setup.spool, logger: setup.log.logger(), metrics: SpoolMetrics(factory: setup.metrics))
        let (durable, inMemory) = await appendUntilFull(spool, count: 40)
        #expect(!durable.isEmpty && !inMemory.isEmpty, "\(durable.count) on disk, \(inMemory.count) not")
        let delivered = Set((durable.prefix(2) + inMemory.prefix(2)).map(\.id))
        for id in delivered { spool.complete(id) }
        try disk.free()
        try await eventually("the spool says it is writable again", timeout: .seconds(40)) {
            !setup.log.lines(level: .info, containing: "the webhook spool is writable again").isEmpty
        }
        let after = try await spool.append([draft(100)])
        await spool.close()
        let failed = setup.log.lines(level: .error, containing: "cannot write webhook deliveries to the spool")
        #expect(failed.count == 1, "\(setup.log.text)")
        #expect(setup.log.lines(level: .info, containing: "writable again").count == 1)
        #expect(writeFailures(setup) >= 1)

        let reopened = try DeliverySpool(directory: setup.spool, logger: setup.log.logger())
        #expect(reopened.recovered == (durable + inMemory).filter { !delivered.contains($0.id) } + after)
        await reopened.close()
        await disk.unmount()
        print(
            "full disk: \(durable.count) deliveries on disk, \(inMemory.count) in memory only until space returned, \(writeFailures(setup)) failed writes counted"
        )
    }
}

extension LoopbackTests {
    /// The scenario through the whole forwarder: escalations on a full disk, all sent
    /// from memory, then restarts.
    @Suite struct ForwarderFullDiskTests {
        @Test func aRestartAfterAFullDiskSendsNothingDeliveredAgain() async throws {
            let setup = try ForwarderSetup()
            let disk = try await SmallDisk.mount(at: setup.spool, size: "1m")
            defer { Task { await disk.unmount() } }
            try disk.fill(leaving: 32 << 10)
            let receiver = try await WebhookReceiver.start()
            defer { Task { await receiver.stop() } }
            let hook = endpoint("hook", receiver.url) { $0.maxInFlight = 8 }

            // 1. 300 escalations: the disk fills up after the first ones; all are delivered.
            let first = try setup.forwarder([hook])
            let firstRun = running(first)
            var unspooled = 0
            for index in 0..<300 {
                let outcome = await first.receive(.alertEscalation(Gater.escalation("a\(index)")), from: "n")
                if case .unspooled = outcome { unspooled += 1 }
            }
            #expect(unspooled > 0 && unspooled < 300, "\(unspooled) of 300 not on disk")
            try await eventually("all 300 delivered") { setup.count("hook", .delivered) == 300 }
            firstRun.cancel()
            _ = await firstRun.result
            let said = setup.log.lines(level: .error, containing: "cannot write webhook deliveries to the spool")
            #expect(said.count == 1, "once, not once per escalation")
            let errors = setup.log.all.filter { $0.level >= .error }
            #expect(errors.count <= 3, "\(errors.map(\.message))")
            let failures = try setup.metrics.expectCounter(SpoolMetrics.writeFailuresName).totalValue
            #expect(failures >= 1)

            // 2. Restarted, the disk still full: nothing delivered is sent again.
            let second = try setup.forwarder([hook])
            #expect(second.spool.recovered.isEmpty, "\(second.spool.recovered.count) delivered ones would go again")
            let secondRun = running(second)
            for index in 300..<310 {
                await second.receive(.alertEscalation(Gater.escalation("a\(index)")), from: "n")
            }
            try await eventually("310 delivered") { Set(receiver.requests.map(\.body)).count == 310 }

            // 3. Space returns: the spool is written from memory again, and says so.
            try disk.free()
            try await eventually("the spool is writable again", timeout: .seconds(40)) {
                !setup.log.lines(level: .info, containing: "the webhook spool is writable again").isEmpty
            }
            secondRun.cancel()
            _ = await secondRun.result
            let third = try setup.forwarder([hook])
            #expect(third.spool.recovered.isEmpty)
            let thirdRun = running(third)
            try await Task.sleep(for: .milliseconds(300))
            thirdRun.cancel()
            _ = await thirdRun.result
            #expect(receiver.requests.count == 310, "one request per escalation: \(receiver.requests.count)")
            await disk.unmount()
            print(
                "full disk: 300 escalations, \(unspooled) sent from memory only, \(receiver.requests.count) requests over two restarts, \(failures) failed spool writes counted"
            )
        }
    }
}
