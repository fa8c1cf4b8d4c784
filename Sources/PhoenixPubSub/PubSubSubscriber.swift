import ErlangDistribution
import ErlangTerm
import Logging
import NIOConcurrencyHelpers

/// Takes part in the pg overlay of Phoenix.PubSub the way another PubSub node would
/// (docs/architecture.md, The buses and the pg overlay): a scope process of our own, one member process per bus joined to all of its
/// groups on every connected node, and the `forward_to_local` messages those members receive,
/// handed to a `BroadcastReceiver` on the thread that read them, in the read buffer's bytes.
///
/// pg crashes on any message it does not expect, so only `discover`, the `sync` cast and `leave`
/// are ever sent to a peer's scope.
public final class PubSubSubscriber: Sendable {
    private let node: LocalNode
    private let configuration: PubSubConfiguration
    private let logger: Logger
    private let scope: Mailbox
    /// Members are inline processes: a broadcast is read once, by the intake, from the bytes it
    /// arrived in, on the thread that read it.
    private let members: [(bus: BusSubscription, process: LocalProcess)]
    /// Each peer's scope pid, once it has answered our discover.
    private let peerScopes = NIOLockedValueBox<[String: Pid]>([:])
    /// Peers up whose scope has not answered yet, with when to ask again and how long to wait then.
    private let unanswered = NIOLockedValueBox<[String: Rediscovery]>([:])

    public init(
        node: LocalNode, configuration: PubSubConfiguration, receiver: any BroadcastReceiver, logger: Logger
    ) {
        self.node = node
        self.configuration = configuration
        self.logger = logger
        scope = node.spawn(registeredName: configuration.scope)
        // direct_broadcast sends to the group's name on the receiving node: register the member under it.
        members = configuration.buses.map { bus in
            let process = node.spawnInline(BusMember(bus: bus, receiver: receiver))
            for group in bus.groups(poolSize: configuration.poolSize) { node.register(group, for: process.pid) }
            return (bus, process)
        }
    }

    /// Our member pid for `bus`, as the peers list it in their groups.
    public func memberPid(of bus: String) -> Pid? {
        members.first { $0.bus.name == bus }?.process.pid
    }

    /// Joins the buses on `peer`, after every (re)connection: discover its scope, which answers
    /// with its own, to which we sync our members.
    public func peerUp(_ peer: String) {
        peerScopes.withLockedValue { $0[peer] = nil }
        unanswered.withLockedValue { $0[peer] = Rediscovery(since: .now) }
        discover(peer)
    }

    /// The peer's pg forgets our members by itself when its monitor on our scope fires.
    public func peerDown(_ peer: String) {
        peerScopes.withLockedValue { $0[peer] = nil }
        unanswered.withLockedValue { $0[peer] = nil }
    }

    private func discover(_ peer: String) {
        node.send(.tuple([.atom("discover"), .pid(scope.pid)]), toName: configuration.scope, on: peer, from: scope.pid)
    }

    /// Leaves every group on every peer (before a clean shutdown), as pg's leave message. At most
    /// once per peer: OTP 25's pg crashes on a leave for a member that already left, and that
    /// takes the node's Phoenix.PubSub scope down, so a peer left is forgotten until it is up again.
    public func leaveAll() {
        let joined = peerScopes.withLockedValue { scopes in
            defer { scopes = [:] }
            return scopes
        }
        for (peer, remoteScope) in joined {
            for member in members {
                let groups = member.bus.groups(poolSize: configuration.poolSize).map { Term.atom($0) }
                let leave = Term.tuple([.atom("leave"), .pid(scope.pid), .pid(member.process.pid), .list(groups)])
                node.send(leave, to: remoteScope, from: scope.pid)
            }
            logger.debug("left the PubSub groups", metadata: ["peer": "\(peer)"])
        }
    }

    /// Runs the scope until cancelled (the members need no task: their broadcasts are handled
    /// where they are read).
    public func run() async {
        await withDiscardingTaskGroup { tasks in
            tasks.addTask { await self.serveScope() }
            tasks.addTask { await self.rediscover() }
        }
    }

    // MARK: - pg protocol

    private func serveScope() async {
        for await delivery in scope.messages {
            if let (downScope, reason) = Self.scopeDown(delivery) {
                scopeExited(downScope, reason: reason)
                continue
            }
            guard let (peerScope, peer, isDiscover) = Self.scopeAnnouncement(delivery) else {
                logger.debug("ignored a message to the PubSub scope", metadata: ["peer": "\(delivery.peer)"])
                continue
            }
            unanswered.withLockedValue { $0[peer] = nil }
            let isNew = peerScopes.withLockedValue { scopes -> Bool in
                defer { scopes[peer] = peerScope }
                return scopes[peer] != peerScope
            }
            // As pg does, every discover is answered with a sync (sync replaces the membership
            // the peer holds for us, so a repeat does no harm); a sync cast only from a new scope.
            if isNew || isDiscover { sync(to: peerScope, peer: peer, first: isNew) }
            if isNew {
                // A scope that restarts forgets our members and, since we are hidden, never
                // discovers us by itself: watch it, to discover its successor.
                node.monitor(peerScope, from: scope.pid)
            }
        }
    }

    /// A peer's scope we joined exited while its node stayed connected (a restart by its
    /// supervisor): ask the node's scope again until the new one answers, then sync to it.
    private func scopeExited(_ exited: Pid, reason: Term) {
        let peer = exited.node.name
        let wasCurrent = peerScopes.withLockedValue { scopes -> Bool in
            guard scopes[peer] == exited else { return false }
            scopes[peer] = nil
            return true
        }
        // A dropped connection is peerDown's; an older scope's notice changes nothing.
        guard wasCurrent, reason != .atom("noconnection") else { return }
        logger.warning(
            "the node's Phoenix.PubSub scope exited; joining its successor when it answers",
            metadata: ["peer": "\(peer)", "reason": "\(reason)"])
        unanswered.withLockedValue { $0[peer] = Rediscovery(since: .now) }
        discover(peer)
    }

    /// The scope pid and reason of a `{'DOWN', Ref, process, Pid, Reason}` our monitor got.
    static func scopeDown(_ delivery: Delivery) -> (Pid, Term)? {
        let view = delivery.message
        let root = view.root
        guard view.kind(of: root) == .tuple, view.count(of: root) == 5, let tag = view.element(0, of: root),
            view.isAtom(tag, "DOWN"), let pidRef = view.element(3, of: root), case .pid(let pid) = view.term(pidRef),
            let reason = view.element(4, of: root)
        else { return nil }
        return (pid, view.term(reason))
    }

    /// A node connects (and the connection comes up) as soon as it is in EPMD, before its
    /// application has started the pg scope; a discover sent then is lost, and pg never discovers
    /// a hidden node by itself. So ask again, backing off from 1 s to 30 s, until the scope answers.
    private func rediscover() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(250))
            let now = ContinuousClock.now
            let due = unanswered.withLockedValue { pending -> [(String, Rediscovery)] in
                let due = pending.filter { $0.value.next <= now }
                for (peer, state) in due { pending[peer] = state.rescheduled(now: now) }
                return Array(due)
            }
            for (peer, state) in due {
                if state.warnNow(now: now) {
                    logger.warning(
                        "no Phoenix.PubSub scope answers on this node yet; asking again until one does. If the node does not run ExESDB, or its PubSub uses another pg scope, check the node and \(PubSubSetting.scope)",
                        metadata: ["peer": "\(peer)", "scope": "\(configuration.scope)"])
                }
                discover(peer)
            }
        }
    }

    /// The peer's scope pid from `{discover, T}`, `{discover, T, Version}` or a sync cast
    /// `{'$gen_cast', {sync, T, Groups}}`, and whether it was a discover; join and leave notices
    /// carry nothing we need.
    static func scopeAnnouncement(_ delivery: Delivery) -> (scope: Pid, peer: String, isDiscover: Bool)? {
        let view = delivery.message
        let root = view.root
        guard view.kind(of: root) == .tuple, let tag = view.element(0, of: root) else { return nil }
        var pidRef: TermRef?
        let isDiscover = view.isAtom(tag, "discover")
        if isDiscover {
            pidRef = view.element(1, of: root)
        } else if view.isAtom(tag, "$gen_cast"), let cast = view.element(1, of: root), view.count(of: cast) == 3,
            let castTag = view.element(0, of: cast), view.isAtom(castTag, "sync")
        {
            pidRef = view.element(1, of: cast)
        }
        guard let pidRef, case .pid(let pid) = view.term(pidRef) else { return nil }
        return (pid, pid.node.name, isDiscover)
    }

    /// Sends our membership to the peer's scope; logged at info for a new scope only (a node
    /// answers our discover with a sync and sends its own discover, so each join syncs twice).
    private func sync(to peerScope: Pid, peer: String, first: Bool) {
        let groups: [Term] = members.flatMap { member in
            member.bus.groups(poolSize: configuration.poolSize).map { group in
                Term.tuple([.atom(group), .list([.pid(member.process.pid)])])
            }
        }
        let cast = Term.tuple([.atom("$gen_cast"), .tuple([.atom("sync"), .pid(scope.pid), .list(groups)])])
        node.send(cast, to: peerScope, from: scope.pid)
        logger.log(
            level: first ? .info : .debug, first ? "joined the PubSub groups" : "sent our PubSub groups again",
            metadata: ["peer": "\(peer)", "buses": "\(members.map(\.bus.name))"])
    }

    /// `{forward_to_local, Topic, Message, Dispatcher}` with a binary topic, from a decoded term.
    static func broadcast(_ delivery: Delivery, bus: String) -> Broadcast? {
        let view = delivery.message
        let root = view.root
        guard view.kind(of: root) == .tuple, view.count(of: root) == 4, let tag = view.element(0, of: root),
            view.isAtom(tag, "forward_to_local"), let topicRef = view.element(1, of: root),
            let topic = view.text(of: topicRef), let message = view.element(2, of: root)
        else { return nil }
        return Broadcast(peer: delivery.peer, bus: bus, topic: topic, payload: .decoded(view, message: message))
    }
}

/// Our member of one bus on every node: reads each `forward_to_local` where it arrived, up to
/// `Message` when it is spelled as the BEAM writes it, decoded whole otherwise; drops the topics
/// not followed; hands the rest on.
final class BusMember: InlineReceiver {
    let bus: BusSubscription
    let receiver: any BroadcastReceiver

    init(bus: BusSubscription, receiver: any BroadcastReceiver) {
        self.bus = bus
        self.receiver = receiver
    }

    func receive(_ delivery: InlineDelivery) {
        if let (topic, message) = ForwardToLocal.header(delivery.bytes, at: delivery.offset) {
            guard follows(topic) else { return }
            receiver.receive(
                WireBroadcast(
                    peer: delivery.peer, bus: bus.name, topic: topic, bytes: delivery.bytes, term: delivery.offset,
                    message: message, limits: delivery.limits, arrivedAt: delivery.arrivedAt))
            return
        }
        guard let decoded = delivery.decoded(), let broadcast = PubSubSubscriber.broadcast(decoded, bus: bus.name)
        else {
            // Not a broadcast: handed on unread, for the intake to count and log.
            receiver.receive(Broadcast(peer: delivery.peer, bus: bus.name, topic: "", payload: .unreadable))
            return
        }
        if follows(broadcast.topic) { receiver.receive(broadcast) }
    }

    private func follows(_ topic: String) -> Bool {
        bus.topics?.contains(topic) ?? true
    }
}

/// When to send the next discover to a peer whose scope has not answered.
struct Rediscovery: Sendable {
    let since: ContinuousClock.Instant
    var next: ContinuousClock.Instant
    var wait: Duration
    var warned = false

    init(since: ContinuousClock.Instant) {
        self.since = since
        wait = .seconds(1)
        next = since + wait
    }

    func rescheduled(now: ContinuousClock.Instant) -> Rediscovery {
        var later = self
        later.wait = min(wait * 2, .seconds(30))
        later.next = now + later.wait
        later.warned = warned || now - since >= .seconds(30)
        return later
    }

    /// Once, after 30 s without an answer.
    func warnNow(now: ContinuousClock.Instant) -> Bool { !warned && now - since >= .seconds(30) }
}
