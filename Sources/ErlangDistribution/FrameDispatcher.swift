import ErlangTerm
import Foundation
import Logging
import Metrics

/// Turns one received frame into deliveries and protocol answers, on the connection's event loop.
///
/// A message for an inline process (a broadcast for a PubSub member) is handed to it in place, in
/// the read buffer's bytes: no copy, no queue. Anything else is copied and decoded.
/// A frame whose bytes are not terms is corrupt and ends the connection. A frame that decodes but
/// whose control message is unknown or misshapen is counted, logged once per kind, and dropped.
///
/// Open to the benchmarks (`@_spi(Benchmarks)`), which feed it frames without a socket to measure
/// the ingest pass alone.
@_spi(Benchmarks) public final class FrameDispatcher {
    let peer: String
    let node: LocalNode
    let route: any PeerRoute
    let limits: TermDecodingLimits
    let logger: Logger
    let metrics: any MetricsFactory
    private var reportedProblems: Set<String> = []
    /// The node names in this connection's pids: ours and the peer's, read without allocating.
    private var atoms: AtomInterner
    private var lastReceiver = InlineReceiverMemo()

    @_spi(Benchmarks) public init(
        peer: String, node: LocalNode, route: any PeerRoute, limits: TermDecodingLimits, logger: Logger,
        metrics: any MetricsFactory
    ) {
        self.peer = peer
        self.node = node
        self.route = route
        self.limits = limits
        self.logger = logger
        self.metrics = metrics
        self.atoms = AtomInterner(known: [node.name, Atom(peer)])
    }

    /// One frame, without its length: valid only during the call (it is the read buffer's).
    /// `arrivedAt` is when the read that brought it happened (Unix seconds), by default now.
    @_spi(Benchmarks) public func dispatch(
        _ frame: UnsafeBufferPointer<UInt8>, arrivedAt: Double = Date().timeIntervalSince1970
    ) throws(DistributionError) {
        guard frame.first == Self.passThrough else {
            throw .corruptFrame(
                node: peer, detail: "frame type \(frame.first.map(String.init) ?? "none"), expected \(Self.passThrough)"
            )
        }
        // Every broadcast: SEND_SENDER to a PubSub member, read and handed on in place.
        if let head = SendSenderHead(frame, at: 1, atoms: atoms),
            let receiver = node.inlineReceiver(of: head.to, memo: &lastReceiver)
        {
            receiver.receive(
                InlineDelivery(
                    peer: peer, sender: head.from, bytes: frame, offset: head.payloadOffset, limits: limits,
                    arrivedAt: arrivedAt))
            return
        }
        try dispatchDecoding(Array(frame), arrivedAt: arrivedAt)
    }

    /// The same for a frame in an array of its own (tests, and the general path below).
    func dispatch(_ frame: [UInt8]) throws(DistributionError) {
        // withUnsafeBufferPointer's closure cannot throw a typed error: carry it out.
        var failure: DistributionError?
        frame.withUnsafeBufferPointer { bytes in
            do throws(DistributionError) { try dispatch(bytes) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// The first byte of every frame after the handshake (DFLAG_FRAGMENTS is not offered).
    static let passThrough: UInt8 = 112

    /// Any frame: its control message decoded, its payload too unless the target reads bytes.
    private func dispatchDecoding(_ frame: [UInt8], arrivedAt: Double) throws(DistributionError) {
        guard let (control, payloadOffset) = try self.control(in: frame) else { return }
        if control.hasPayload, let target = inlineTarget(of: control), let receiver = node.inlineReceiver(of: target) {
            frame.withUnsafeBufferPointer { bytes in
                receiver.receive(
                    InlineDelivery(
                        peer: peer, sender: sender(of: control), bytes: bytes, offset: payloadOffset, limits: limits,
                        arrivedAt: arrivedAt))
            }
            return
        }
        var payload: TermView?
        if control.hasPayload {
            do {
                payload = try TermView(parsing: frame, at: payloadOffset, wholeInput: true, limits: limits)
            } catch {
                throw .corruptFrame(node: peer, detail: "payload of operation \(control.operation): \(error)")
            }
        }
        act(on: control, payload: payload)
    }

    /// The sending process, for the kinds that name it.
    private func sender(of control: ControlMessage) -> Pid? {
        switch control {
        case .sendSender(let from, _), .sendSenderTT(let from, _, _), .registeredSend(let from, _),
            .registeredSendTT(let from, _, _), .aliasSend(let from, _), .aliasSendTT(let from, _, _):
            from
        default: nil
        }
    }

    /// The process a message goes to, for the kinds that carry one.
    private func inlineTarget(of control: ControlMessage) -> Pid? {
        switch control {
        case .send(let to), .sendTT(let to, _), .sendSender(_, let to), .sendSenderTT(_, let to, _): to
        case .registeredSend(_, let name), .registeredSendTT(_, let name, _): node.whereis(name)
        case .aliasSend(_, let alias), .aliasSendTT(_, let alias, _): node.pid(aliasedAs: alias)
        default: nil
        }
    }

    /// The frame's control message and where its payload starts; nil when the control message
    /// was malformed (counted and logged).
    private func control(in frame: [UInt8]) throws(DistributionError) -> (ControlMessage, Int)? {
        if let fast = ControlMessage.sendSender(inFrame: frame, at: 1, atoms: atoms) { return fast }
        let controlView: TermView
        do {
            controlView = try TermView(parsing: frame, at: 1, limits: limits)
        } catch {
            throw .corruptFrame(node: peer, detail: "control message: \(error)")
        }
        do {
            return (try ControlMessage(controlView, atoms: &atoms), controlView.endOffset)
        } catch {
            reject(error.operation.map { "operation_\($0)" } ?? "not_a_control_tuple", "\(error)")
            return nil
        }
    }

    private func act(on control: ControlMessage, payload: TermView?) {
        switch control {
        case .send(let to), .sendTT(let to, _):
            deliver(payload, sender: nil) { [node] in node.deliver($0, to: to) }
        case .sendSender(let from, let to), .sendSenderTT(let from, let to, _):
            deliver(payload, sender: from) { [node] in node.deliver($0, to: to) }
        case .registeredSend(let from, let name), .registeredSendTT(let from, let name, _):
            deliver(payload, sender: from) { [node] in node.deliver($0, toName: name) }
        case .aliasSend(let from, let alias), .aliasSendTT(let from, let alias, _):
            deliver(payload, sender: from) { [node] in node.deliver($0, toAlias: alias) }
        case .monitor(let from, let target, let reference):
            node.addMonitor(from: from, target: target, reference: reference, peer: peer)
        case .demonitor(_, _, let reference):
            node.removeMonitor(reference: reference, peer: peer)
        case .monitorExit(_, _, let reference, let reason):
            node.monitorFired(reference, reason: reason)
        case .payloadMonitorExit(_, _, let reference):
            node.monitorFired(reference, reason: payload.map { $0.term($0.root) } ?? .atom("undefined"))
        case .link(let from, let to):
            node.addLink(from: from, to: to, peer: peer)
        case .unlinkID(let id, let from, let to):
            // The acknowledgement must precede any other signal to `from`: send it at once.
            node.removeLink(from: from, to: to)
            route.send(.unlinkIDAck(id: id, from: to, to: from), payload: nil)
        case .unlink(let from, let to):
            node.removeLink(from: from, to: to)
        case .spawnRequest(let request, let from, _, let module, let function, let arity, _),
            .spawnRequestTT(let request, let from, _, let module, let function, let arity, _, _):
            logger.info(
                "refused a spawn request: this node runs no Erlang code",
                metadata: ["peer": "\(peer)", "mfa": "\(module):\(function)/\(arity)"])
            route.send(.spawnReply(request: request, to: from, flags: 0, result: .atom("notsup")), payload: nil)
        default:
            logger.debug("ignored control message", metadata: ["peer": "\(peer)", "operation": "\(control.operation)"])
        }
    }

    private func deliver(_ payload: TermView?, sender: Pid?, to target: (Delivery) -> Bool) {
        guard let payload else { return }
        if !target(Delivery(peer: peer, sender: sender, message: payload)) {
            logger.debug("message for a process that does not exist dropped", metadata: ["peer": "\(peer)"])
        }
    }

    private func reject(_ kind: String, _ detail: String) {
        Counter(
            label: DistributionFamilies.controlMessagesRejected.name, dimensions: [("peer", peer), ("reason", kind)],
            factory: metrics
        ).increment()
        if reportedProblems.insert(kind).inserted {
            logger.warning(
                "dropped a malformed control message (further ones of this kind are logged at debug level)",
                metadata: ["peer": "\(peer)", "problem": "\(detail)"])
        } else {
            logger.debug("dropped a malformed control message", metadata: ["peer": "\(peer)", "problem": "\(detail)"])
        }
    }
}
