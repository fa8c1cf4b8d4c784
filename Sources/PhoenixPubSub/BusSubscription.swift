import ErlangTerm

/// One Phoenix.PubSub server to follow (an ExESDB bus such as `ex_esdb_metrics`).
public struct BusSubscription: Sendable, Hashable {
    public let name: String
    /// Only these topics are delivered when set; every topic otherwise (filtering is the
    /// receiver's job in Phoenix.PubSub: broadcasts reach every member).
    public let topics: Set<String>?

    public init(name: String, topics: Set<String>? = nil) {
        self.name = name
        self.topics = topics
    }

    /// The pg groups of this bus for a pool of `poolSize` (docs/architecture.md, The buses and the pg overlay): `Elixir.<bus>.Adapter`,
    /// then `Elixir.<bus>.Adapter_2` ... `_N`; a broadcaster picks one, so a subscriber joins all.
    public func groups(poolSize: Int) -> [Atom] {
        let base = "Elixir.\(name).Adapter"
        return [Atom(base)] + (max(poolSize, 1) > 1 ? (2...poolSize).map { Atom("\(base)_\($0)") } : [])
    }
}

/// How to join the buses.
public struct PubSubConfiguration: Sendable {
    public var buses: [BusSubscription]
    public var poolSize: Int
    /// The pg scope every Phoenix.PubSub node runs, registered under this name.
    public var scope: Atom

    public init(
        buses: [BusSubscription] = ["ex_esdb_metrics", "ex_esdb_health", "ex_esdb_alerts"].map {
            BusSubscription(name: $0)
        },
        poolSize: Int = 1, scope: Atom = "Elixir.Phoenix.PubSub"
    ) {
        self.buses = buses
        self.poolSize = poolSize
        self.scope = scope
    }
}

/// One `forward_to_local` a node sent to our member of `bus`, decoded (or not a broadcast at all).
public struct Broadcast: Sendable {
    /// The node that broadcast it.
    public let peer: String
    public let bus: String
    public let topic: String
    public let payload: Payload

    public init(peer: String, bus: String, topic: String, payload: Payload) {
        self.peer = peer
        self.bus = bus
        self.topic = topic
        self.payload = payload
    }

    public enum Payload: Sendable {
        /// The decoded term, and `Message` within it (an ExESDBGater envelope).
        case decoded(TermView, message: TermRef)
        /// A message to our member that is no `forward_to_local` term (its topic is empty): handed
        /// on so that whoever counts rejections counts it.
        case unreadable
    }

    /// The whole term decoded, and `Message` within it; nil when it is no broadcast.
    public func decoded() -> (view: TermView, message: TermRef)? {
        guard case .decoded(let view, let message) = payload else { return nil }
        return (view, message)
    }
}

/// A broadcast spelled as the BEAM writes it, read in place: the term at `bytes[term...]` (version
/// byte first), read up to `Message`, which starts at `message`; the rest is not validated yet, and
/// decoding it honours the connection's `limits`.
///
/// Not `Sendable`, and valid only during `BroadcastReceiver.receive`: the bytes are the
/// connection's read buffer.
public struct WireBroadcast {
    public let peer: String
    public let bus: String
    public let topic: String
    public let bytes: UnsafeBufferPointer<UInt8>
    public let term: Int
    public let message: Int
    public let limits: TermDecodingLimits
    /// When the read that brought it happened (Unix seconds).
    public let arrivedAt: Double

    /// The same broadcast in bytes of its own, decoded; nil when they are not one whole term.
    public func owned() -> Broadcast? {
        guard let view = try? TermView(parsing: Array(bytes), at: term, wholeInput: true, limits: limits),
            let message = view.element(2, of: view.root)
        else { return nil }
        return Broadcast(peer: peer, bus: bus, topic: topic, payload: .decoded(view, message: message))
    }
}

/// Where the broadcasts our members get go: on the thread that read them, in the order each node
/// sent them (for several nodes, on several threads at once). It must not block.
public protocol BroadcastReceiver: AnyObject, Sendable {
    /// A broadcast in the BEAM's own spelling, read in place.
    func receive(_ broadcast: WireBroadcast)
    /// A broadcast of another spelling, decoded; or a message that is no broadcast (`.unreadable`).
    func receive(_ broadcast: Broadcast)
}
