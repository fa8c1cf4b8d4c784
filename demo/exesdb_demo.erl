%% DEMO ONLY: a stand-in for a real ExESDB cluster, so that the exporter, the dashboards and the
%% alert rules can be seen working on one machine. It is not ExESDB and stores no events.
%%
%% On the wire it behaves as an ExESDB node running ExESDBGater does (docs/architecture.md, Wire facts): an OTP
%% pg scope registered as 'Elixir.Phoenix.PubSub'; per bus a worker in the Phoenix.PubSub PG2
%% groups ('Elixir.<bus>.Adapter', then '_2'..'_N' with a pool); a broadcast picks one group by
%% erlang:phash2(self(), PoolSize) and sends {forward_to_local, Topic, Message, 'Elixir.Phoenix.PubSub'}
%% to every remote member; Message is {secure_message, HMAC-SHA256(SECRET_KEY_BASE,
%% term_to_binary(Inner)), Inner} and Inner an Elixir-shaped ExESDBGater struct (demo_payloads and
%% demo_ops_payloads choose the values; gater_wire, in erlang/, shared with the tests, makes the
%% structs, the envelope and the broadcast).
%%
%% start(Options) reads SECRET_KEY_BASE from the environment (never from the command line) and
%% runs until the node stops. Options (all optional but index and nodes):
%%   index        this node's position in nodes, 0-based (degraded episodes take turns by it)
%%   nodes        every node of the demo cluster, this one included (it keeps connected to them)
%%   pool_size    the buses' pool size (1, as ExESDBGater starts them)
%%   profile      normal (default: a metrics round every 5 s, health every 10 s, the other six
%%                buses every 5 s, an alert every ~45 s, escalations after 10 s; the first
%%                escalation about 20 s after the start) or fast (every 2 s / 1 s / 1 s / 3 s,
%%                escalations after 1 s, for tests)
-module(exesdb_demo).
-export([start/1, broadcast/4]).

-define(SCOPE, 'Elixir.Phoenix.PubSub').
-define(BUSES, [ex_esdb_system, ex_esdb_health, ex_esdb_metrics, ex_esdb_lifecycle, ex_esdb_alerts, ex_esdb_audit,
                ex_esdb_diagnostics, ex_esdb_security, ex_esdb_logging]).

start(Options) ->
    Secret = secret(),
    Config = config(Options),
    {ok, _} = pg:start_link(?SCOPE),
    [start_bus_worker(Bus, maps:get(pool_size, Config)) || Bus <- ?BUSES],
    Context = Config#{secret => Secret, started_at => gater_wire:utc_now()},
    spawn_link(fun() -> keep_connected(Context) end),
    spawn_link(fun() -> demo_traffic:metrics_loop(Context) end),
    spawn_link(fun() -> demo_traffic:health_loop(Context) end),
    spawn_link(fun() -> demo_alerts:loop(Context) end),
    spawn_link(fun() -> demo_operations:announcer(Context) end),
    spawn_link(fun() -> demo_operations:loop(Context) end),
    io:format("ready ~s (demo stand-in for an ExESDB node, profile ~s)~n", [node(), maps:get(profile, Config)]),
    receive stop -> ok end.

secret() ->
    case os:getenv("SECRET_KEY_BASE") of
        Value when is_list(Value), Value =/= "" -> list_to_binary(Value);
        _ ->
            io:format(standard_error, "SECRET_KEY_BASE is not set: the demo signs every message with it; "
                      "export SECRET_KEY_BASE before starting the node~n", []),
            erlang:halt(2)
    end.

config(Options) ->
    Profile = maps:get(profile, Options, normal),
    Timing = timing(Profile),
    maps:merge(Timing, Options#{profile => Profile, pool_size => maps:get(pool_size, Options, 1),
                                nodes => maps:get(nodes, Options, [node()]), index => maps:get(index, Options, 0)}).

%% metrics_ms: one round of throughput, latency, resource and performance metrics;
%% health_ms: one round of node, component, check and cluster health;
%% alert_ms: mean time between system alerts of one node; first_alert_ms: when node i raises its
%% first alert, (i + 1) * first_alert_ms after its start, so that a fresh demo shows an escalation
%% (and the webhook sink prints it) within half a minute, one node after the other;
%% escalate_ms: time before an unacked alert is escalated (or acked); cycle_ms and degraded_ms:
%% each node is degraded for degraded_ms once per cycle_ms, the nodes taking turns;
%% ops_ms: one round of the other six buses (demo_operations), whose episodes recur per cycle_ms.
timing(normal) ->
    #{metrics_ms => 5000, health_ms => 10000, alert_ms => 45000, first_alert_ms => 10000, escalate_ms => 10000,
      cycle_ms => 600000, degraded_ms => 60000, ops_ms => 5000};
timing(fast) ->
    #{metrics_ms => 2000, health_ms => 1000, alert_ms => 3000, first_alert_ms => 1000, escalate_ms => 1000,
      cycle_ms => 30000, degraded_ms => 5000, ops_ms => 1000}.

%% A Phoenix.PubSub PG2 worker: member of every pool group of its bus, registered under the first,
%% receiving the other nodes' broadcasts as a real node would (and dropping them).
start_bus_worker(Bus, PoolSize) ->
    Groups = [gater_wire:group(Bus, Index) || Index <- lists:seq(0, PoolSize - 1)],
    Ready = self(),
    Worker = spawn_link(fun() ->
        register(hd(Groups), self()),
        [ok = pg:join(?SCOPE, Group, self()) || Group <- Groups],
        Ready ! {joined, self()},
        drain()
    end),
    receive {joined, Worker} -> ok end.

drain() ->
    receive _ -> drain() end.

%% Phoenix.PubSub.broadcast/3 with the PG2 adapter and ExESDBGater's signed envelope.
broadcast(Context, Bus, Topic, Inner) ->
    #{secret := Secret, pool_size := PoolSize} = Context,
    gater_wire:broadcast(PoolSize, Bus, Topic, gater_wire:sign(Secret, Inner)).

%% The nodes of the demo find each other again after one of them restarts.
keep_connected(Context = #{nodes := Nodes}) ->
    [net_kernel:connect_node(Node) || Node <- Nodes, Node =/= node(), not lists:member(Node, nodes())],
    timer:sleep(1000),
    keep_connected(Context).
