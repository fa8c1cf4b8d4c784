%% Test fixture: an ExESDB node's PubSub side as the wire sees it. A real OTP pg scope registered
%% as 'Elixir.Phoenix.PubSub', groups named as Phoenix.PubSub's PG2 adapter names them, its
%% broadcast (one group chosen by erlang:phash2(self(), PoolSize), forward_to_local to every remote
%% member), and ExESDBGater envelopes signed with crypto:mac over term_to_binary.
%%
%% start(PoolSize, Secret) registers `publisher`, prints `ready`, and serves:
%%   {publish, Bus, Topic, Seq}        one signed LatencyMetric whose sample_count is Seq
%%   {publish_n, Bus, Topic, N}        Seq 1..N in order from this process
%%   {publish_spread, Bus, Topic, N}   Seq 1..N each from a new process (all pool groups get used)
%%   {direct, Node, Bus, Topic, Seq}   direct_broadcast: to the group's name on Node
%%   {publish_all, Bus}                every payload of gater_fixture (compiled alongside, as is
%%                                     gater_wire) on Bus, signed
%%   {members, From}                   From ! {members, [{Group, Pids}]} for every group known
%%   {publish_own, Buses}              every gater_fixture payload on its own bus, if in Buses
%%   {publish_many, N}                 N ThroughputMetrics, operations op_1 .. op_N
%%   restart_scope                     kills the pg scope and starts a new one (node stays up)
%%   {not_a_broadcast, Node, Bus}      sends {not_a_broadcast, 1} to the bus's group name on Node
%%   {direct_group, Node, Bus, Index, Topic, Seq}
%%                                     direct_broadcast to the pool's group Index (0 is
%%                                     'Elixir.B.Adapter', 1 'Elixir.B.Adapter_2', ...) by name on
%%                                     Node: Phoenix.PubSub 2.1 picks that name by phash2
%%   {join_local, Groups, From}        a new local process joins Groups, as a real node's own PubSub
%%                                     workers are members; From ! {joined_local, Pid}
%%   {leave_local, Pid, Groups, From}  Pid leaves Groups; From ! {left_local, Pid}
%%   {discover_versioned, Node, Version, From}
%%                                     a new process sends {discover, self(), Version} to the scope
%%                                     on Node, as pg from OTP 28 may, and reports the first sync cast
%%                                     it gets: From ! {versioned_sync, Scope, Groups}, or
%%                                     From ! {versioned_sync, timeout} after 5 s
-module(pubsub_publisher).
-export([start/2, start/3, start_ticking/2, start_publishing_all/3, start_publishing_many/3, start_publishing_real/2,
         start_publishing_rounds/4,
         start_with_local_members/2, start_with_local_members/3]).

-import(gater_wire, [broadcast/4, bus/1, forward/2, group/2, sign/2]).

-define(SCOPE, 'Elixir.Phoenix.PubSub').

%% start_ticking(PoolSize, Secret): as start/2, and publishes a LatencyMetric on ex_esdb_metrics
%% every 200 ms by itself (for the exporter binary's tests, which send no commands).
start_ticking(PoolSize, Secret) ->
    Self = self(),
    spawn(fun() -> tick(Self, 1) end),
    start(PoolSize, Secret).

tick(Publisher, Seq) ->
    timer:sleep(200),
    Publisher ! {publish, ex_esdb_metrics, <<"latency">>, Seq},
    tick(Publisher, Seq + 1).

%% start_publishing_all(PoolSize, Secret, Buses): as start/2, and every 500 ms publishes every
%% gater_fixture payload on the bus it belongs to (gater_wire:bus/1), for the buses in Buses; prints
%% the pg joins and leaves of remote members (for the exporter binary's end-to-end tests).
start_publishing_all(PoolSize, Secret, Buses) ->
    Self = self(),
    spawn(fun() -> repeat(500, fun() -> Self ! {publish_own, Buses} end) end),
    spawn(fun watch_members/0),
    start(PoolSize, Secret).

%% start_publishing_real(PoolSize, Secret): as start/2, and every 500 ms publishes the shapes ExESDB
%% 0.11 really sends (gater_fixture:real_shapes/0) on their buses.
start_publishing_real(PoolSize, Secret) ->
    Self = self(),
    spawn(fun() -> repeat(500, fun() -> Self ! publish_real end) end),
    start(PoolSize, Secret).

%% start_publishing_many(PoolSize, Secret, N): as start/2, and every 500 ms publishes N
%% ThroughputMetrics with N distinct operations (many series, for the cardinality limit).
start_publishing_many(PoolSize, Secret, N) ->
    Self = self(),
    spawn(fun() -> repeat(500, fun() -> Self ! {publish_many, N} end) end),
    start(PoolSize, Secret).

%% start_publishing_rounds(PoolSize, Secret, Rounds, Mode): as start/2, and once a remote member is
%% in a group of each of the nine buses, publishes Rounds rounds of Mode, then prints
%% `published N` (N messages in all), for the exporter binary's tests of the nine buses:
%%   variants  every gater_fixture payload as its struct, and each struct of the six other buses
%%             also as a plain map, under an unknown tag and under another kind's tag
%%   mutants   each struct of the six other buses with one field at a time made hostile (a map,
%%             a megabyte of text, a negative number, an unknown atom, 10^4 elements, a tuple),
%%             the shapes ExESDB 0.11 sends and the hostile ones, and ExESDB's bare log_event
%%   flood     10^5 LogEntry structs, each from a random module at a random level
start_publishing_rounds(PoolSize, Secret, Rounds, Mode) ->
    Self = self(),
    spawn(fun() ->
                  wait_for_remote_members(),
                  Messages = lists:append([messages(Mode, Secret) || _ <- lists:seq(1, Rounds)]),
                  Self ! {publish_messages, Messages}
          end),
    start(PoolSize, Secret).

wait_for_remote_members() ->
    Buses = [ex_esdb_system, ex_esdb_health, ex_esdb_metrics, ex_esdb_lifecycle, ex_esdb_alerts, ex_esdb_audit,
             ex_esdb_diagnostics, ex_esdb_security, ex_esdb_logging],
    Joined = [Bus || Bus <- Buses, whereis(?SCOPE) =/= undefined,
                     lists:any(fun(Pid) -> node(Pid) =/= node() end, pg:get_members(?SCOPE, group(Bus, 0)))],
    case length(Joined) of
        9 -> ok;
        _ -> timer:sleep(50), wait_for_remote_members()
    end.

%% {Bus, Topic, Envelope} triples.
messages(variants, Secret) ->
    [{bus(Tag), Topic, sign(Secret, Inner)} || {Tag, Topic, Inner} <- gater_fixture:payloads()] ++
        [{bus(Tag), Topic, sign(Secret, Variant)}
         || {Tag, Topic, {Tag, P}} <- gater_fixture:bus_payloads(),
            Variant <- [{Tag, maps:remove('__struct__', P)}, {ops_event, maps:remove('__struct__', P)},
                        {latency_metric, P}]];
messages(mutants, Secret) ->
    Hostile = [#{nested => #{deeper => [1, 2, 3]}}, binary:copy(<<"z">>, 1024 * 1024), -1, no_such_value,
               lists:seq(1, 10000), {tuple, 1}],
    Mutants = [{bus(Tag), Topic, sign(Secret, {Tag, maps:put(Key, lists:nth(1 + erlang:phash2(Key, 6), Hostile), P)})}
               || {Tag, Topic, {Tag, P}} <- gater_fixture:bus_payloads(), Key <- maps:keys(P), Key =/= '__struct__'],
    Real = [{bus(Tag), Topic, sign(Secret, Inner)}
            || {_, Topic, {Tag, _} = Inner} <- gater_fixture:bus_real_shapes() ++ gater_fixture:hostile()],
    {log_event, _} = LogEvent = gater_fixture:log_event(),
    Mutants ++ Real ++ [{ex_esdb_logging, <<"logging:emitter_pool">>, LogEvent}];
messages(flood, Secret) ->
    Levels = [debug, info, warn, error, critical, verbose],
    [{ex_esdb_logging, <<"error_logs">>,
      sign(Secret, {log_entry, maps:merge(gater_fixture:bus_log_entry(),
                                          #{module => iolist_to_binary(["Elixir.Random.M", integer_to_list(rand:uniform(1 bsl 40))]),
                                            level => lists:nth(rand:uniform(6), Levels)})})}
     || _ <- lists:seq(1, 100000)].

repeat(Milliseconds, Action) ->
    timer:sleep(Milliseconds),
    Action(),
    repeat(Milliseconds, Action).

%% Prints `pg join Group Node` and `pg leave Group Node connected=Bool` for remote members;
%% connected=true tells a leave the member sent (its node still connected) from one that pg
%% made itself when the node went down.
watch_members() ->
    case whereis(?SCOPE) of
        undefined ->
            timer:sleep(20),
            watch_members();
        _ ->
            {Ref, _} = pg:monitor_scope(?SCOPE),
            watch_members(Ref)
    end.

watch_members(Ref) ->
    receive
        {Ref, join, Group, Pids} ->
            [io:format("pg join ~s ~s~n", [Group, node(Pid)]) || Pid <- Pids, node(Pid) =/= node()];
        {Ref, leave, Group, Pids} ->
            [io:format("pg leave ~s ~s connected=~s~n",
                       [Group, node(Pid), lists:member(node(Pid), nodes(connected))])
             || Pid <- Pids, node(Pid) =/= node()]
    end,
    watch_members(Ref).

%% start(PoolSize, Secret, Seed): as start/2, after joining the cluster of node Seed.
start(PoolSize, Secret, Seed) ->
    pong = net_adm:ping(Seed),
    start(PoolSize, Secret).

start(PoolSize, Secret) ->
    {ok, _} = pg:start_link(?SCOPE),
    serve(PoolSize, Secret).

%% start_with_local_members(PoolSize, Secret): as start/2, with a local process in every group of
%% the three default buses before `ready`, as on a real Phoenix node (its PG2 workers are members):
%% the syncs this scope sends are not empty.
start_with_local_members(PoolSize, Secret) ->
    {ok, _} = pg:start_link(?SCOPE),
    _ = local_member([group(Bus, Index) || Bus <- [ex_esdb_metrics, ex_esdb_health, ex_esdb_alerts],
                                          Index <- lists:seq(0, PoolSize - 1)]),
    serve(PoolSize, Secret).

%% start_with_local_members(PoolSize, Secret, Seed): as start_with_local_members/2, after joining
%% the cluster of node Seed.
start_with_local_members(PoolSize, Secret, Seed) ->
    pong = net_adm:ping(Seed),
    start_with_local_members(PoolSize, Secret).

serve(PoolSize, Secret) ->
    register(publisher, self()),
    io:format("ready ~s~n", [node()]),
    loop(PoolSize, Secret).

loop(PoolSize, Secret) ->
    receive
        {publish, Bus, Topic, Seq} ->
            broadcast(PoolSize, Bus, Topic, envelope(Secret, Seq));
        {publish_n, Bus, Topic, N} ->
            [broadcast(PoolSize, Bus, Topic, envelope(Secret, Seq)) || Seq <- lists:seq(1, N)];
        {publish_spread, Bus, Topic, N} ->
            [spawn(fun() -> broadcast(PoolSize, Bus, Topic, envelope(Secret, Seq)) end) || Seq <- lists:seq(1, N)];
        {direct, Node, Bus, Topic, Seq} ->
            erlang:send({group(Bus, 0), Node}, forward(Topic, envelope(Secret, Seq)));
        restart_scope ->
            restart_scope();
        {publish_all, Bus} ->
            [broadcast(PoolSize, Bus, Topic, sign(Secret, Inner)) || {_, Topic, Inner} <- gater_fixture:payloads()];
        {publish_own, Buses} ->
            [broadcast(PoolSize, Bus, Topic, sign(Secret, Inner))
             || {Tag, Topic, Inner} <- gater_fixture:payloads(), Bus <- [bus(Tag)], lists:member(Bus, Buses)];
        publish_real ->
            [broadcast(PoolSize, bus(Tag), Topic, sign(Secret, Inner))
             || {_, Topic, {Tag, _} = Inner} <- gater_fixture:real_shapes()];
        {publish_messages, Messages} ->
            [broadcast(PoolSize, Bus, Topic, Envelope) || {Bus, Topic, Envelope} <- Messages],
            io:format("published ~b~n", [length(Messages)]);
        {publish_many, N} ->
            [broadcast(PoolSize, ex_esdb_metrics, <<"throughput">>, sign(Secret, throughput(Index)))
             || Index <- lists:seq(1, N)];
        {members, From} ->
            From ! {members, [{G, pg:get_members(?SCOPE, G)} || G <- pg:which_groups(?SCOPE)]};
        {not_a_broadcast, Node, Bus} ->
            erlang:send({group(Bus, 0), Node}, {not_a_broadcast, 1});
        {direct_group, Node, Bus, Index, Topic, Seq} ->
            erlang:send({group(Bus, Index), Node}, forward(Topic, envelope(Secret, Seq)));
        {join_local, Groups, From} ->
            From ! {joined_local, local_member(Groups)};
        {leave_local, Pid, Groups, From} ->
            [ok = pg:leave(?SCOPE, Group, Pid) || Group <- Groups],
            From ! {left_local, Pid};
        {discover_versioned, Node, Version, From} ->
            spawn(fun() -> discover_versioned(Node, Version, From) end)
    end,
    loop(PoolSize, Secret).

%% The scope killed and started again while the node stays connected, as a supervisor restart
%% would: the new scope knows no remote member until they discover it.
restart_scope() ->
    Scope = whereis(?SCOPE),
    unlink(Scope),
    Ref = monitor(process, Scope),
    exit(Scope, kill),
    receive {'DOWN', Ref, process, Scope, _} -> ok end,
    {ok, _} = pg:start_link(?SCOPE),
    io:format("scope restarted~n").
%% A process that lives until killed, member of Groups in this node's scope.
local_member(Groups) ->
    Pid = spawn(fun() -> receive stop -> ok end end),
    [ok = pg:join(?SCOPE, Group, Pid) || Group <- Groups],
    Pid.

discover_versioned(Node, Version, From) ->
    erlang:send({?SCOPE, Node}, {discover, self(), Version}),
    receive
        {'$gen_cast', {sync, Scope, Groups}} -> From ! {versioned_sync, Scope, Groups}
    after 5000 ->
        From ! {versioned_sync, timeout}
    end.

throughput(Index) ->
    gater_wire:inner(throughput_metric,
                     #{operation => list_to_atom("op_" ++ integer_to_list(Index)), count => 10, duration_ms => 1000,
                       rate_per_sec => 10.0, node => node()},
                     nil).

envelope(Secret, Seq) ->
    sign(Secret, gater_wire:inner(latency_metric,
                                  #{operation => stream_read, latency_ms => 1.5, percentile => p50,
                                    sample_count => Seq, node => node()},
                                  nil)).
