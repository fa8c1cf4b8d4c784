import Foundation
import NIOCore
import Synchronization

/// The listen addresses bound so far (with their real ports), or why listening failed.
final class Listeners: Sendable {
    private struct State {
        var bound: [(configured: ListenAddress, actual: ListenAddress)] = []
        var failure: (any Error)?
    }

    private let state = Mutex(State())

    func record(_ configured: ListenAddress, localAddress: SocketAddress?) {
        let actual = ListenAddress(
            host: localAddress?.ipAddress ?? configured.host, port: localAddress?.port ?? configured.port)
        state.withLock { $0.bound.append((configured, actual)) }
    }

    func fail(_ error: any Error) {
        state.withLock { $0.failure = $0.failure ?? error }
    }

    func isBound(_ address: ListenAddress) -> Bool {
        state.withLock { $0.bound.contains { $0.configured == address } }
    }

    var bound: [ListenAddress] { state.withLock { $0.bound.map(\.actual) } }
    var failure: (any Error)? { state.withLock { $0.failure } }

    static func text(_ socket: SocketAddress) -> String {
        ListenAddress(host: socket.ipAddress, port: socket.port ?? 0).description
    }
}

/// Bind errors in the operator's words, naming the flag value.
enum BindFailure {
    static func describe(_ error: any Error, address: ListenAddress) -> ExporterHTTPError {
        if let error = error as? IOError {
            if error.errnoCode == EADDRINUSE { return .addressInUse(address: address.description) }
            return .cannotListen(address: address.description, reason: "\(error)")
        }
        if error is SocketAddressError {
            return .cannotListen(
                address: address.description, reason: "the host name does not resolve to an address of this machine")
        }
        return .cannotListen(address: address.description, reason: "\(error)")
    }

    /// Binding `::` fails this way where IPv6 is off.
    static func isMissingIPv6(_ error: any Error) -> Bool {
        guard let error = error as? IOError else { return false }
        return error.errnoCode == EAFNOSUPPORT || error.errnoCode == EADDRNOTAVAIL
    }
}
