%% DEMO ONLY (a stand-in for a real ExESDB cluster): the periodic traffic of one node.
%%
%% metrics_loop: every metrics_ms, per operation a ThroughputMetric and six LatencyMetrics (p50,
%% p95, p99, max, min, avg), four ResourceUsage, PerformanceMetrics of two components, and a
%% MetricAlert when a threshold is crossed (append p99 over 25 ms, disk over 90%, snapshots
%% under 35/s). Rates and latencies drift slowly (a ten-minute wave
%% plus noise); latency spikes (x6 for a few rounds) start at random; a degraded node is slower.
%% health_loop: every health_ms, this node's NodeHealth, four ComponentHealth, four HealthCheck,
%% and this node's view of the cluster (ClusterHealth, and NodeHealth "unhealthy" for demo nodes
%% it cannot reach). Degraded episodes follow a schedule every node can compute, so the cluster
%% views agree: each node is degraded for degraded_ms once per cycle_ms, the nodes taking turns.
-module(demo_traffic).
-export([metrics_loop/1, health_loop/1, degraded/2]).

%% {operation, base rate per second, base p50 latency in ms}
-define(OPERATIONS, [{stream_append, 800, 2.0}, {stream_read, 2400, 0.8}, {subscription_deliver, 1500, 1.5},
                     {snapshot_write, 40, 12.0}]).
-define(STATS, [{p50, 1.0}, {p95, 2.8}, {p99, 5.5}, {max, 12.0}, {min, 0.25}, {avg, 1.3}]).
-define(COMPONENTS, [store_worker, persistence, emitter, subscriptions]).
-define(CHECKS, [disk_space, memory_pressure, raft_leader, network_partition]).
-define(APPEND_P99_THRESHOLD_MS, 25).
-define(DISK_THRESHOLD_PERCENT, 90).
-define(SNAPSHOT_MIN_RATE, 35).

%% The first node starts with a latency spike of eight rounds, so that a fresh demo shows one (and
%% its MetricAlerts) at once instead of minutes later, even to an exporter that joins late.
metrics_loop(Context = #{index := Index}) ->
    metrics_loop(Context, pick(Index =:= 0, 8, 0)).

%% SpikeRounds: how many more rounds the current latency spike lasts.
metrics_loop(Context = #{metrics_ms := Interval}, SpikeRounds) ->
    Degraded = degraded(Context, node()),
    Spike = SpikeRounds > 0,
    [operation(Context, Op, Degraded, Spike) || Op <- ?OPERATIONS],
    resources(Context, Degraded),
    performance(Context, Degraded),
    timer:sleep(Interval),
    metrics_loop(Context, next_spike(SpikeRounds)).

%% About one spike every fifty rounds (four minutes in the normal profile), lasting six rounds.
next_spike(0) ->
    case rand:uniform(50) of
        1 -> 6;
        _ -> 0
    end;
next_spike(Rounds) -> Rounds - 1.

operation(Context = #{metrics_ms := Interval}, {Operation, BaseRate, BaseLatency}, Degraded, Spike) ->
    Rate = BaseRate * drift(Context, 0) * noise(0.05) * pick(Degraded, 0.55, 1.0),
    Count = round(Rate * Interval / 1000),
    send(Context, ex_esdb_metrics, <<"throughput">>,
         demo_payloads:throughput(Operation, Count, Interval, round3(Rate))),
    P50 = BaseLatency * drift(Context, 1.5) * noise(0.08) * pick(Degraded, 3.0, 1.0) * pick(Spike, 6.0, 1.0),
    [send(Context, ex_esdb_metrics, <<"latency">>,
          demo_payloads:latency(Operation, round3(P50 * Factor), Stat, Count, node()))
     || {Stat, Factor} <- ?STATS],
    minimum_rate(Context, Operation, Rate),
    P99 = P50 * 5.5,
    case Operation =:= stream_append andalso P99 > ?APPEND_P99_THRESHOLD_MS of
        true ->
            Severity = pick(P99 > 2 * ?APPEND_P99_THRESHOLD_MS, critical, warning),
            send(Context, ex_esdb_metrics, <<"persistence">>,
                 demo_payloads:metric_alert(stream_append_p99_latency_ms, round3(P99), ?APPEND_P99_THRESHOLD_MS,
                                            max, Severity, node()));
        false -> ok
    end.

%% Snapshots are expected at 35/s at least: the low part of the drift crosses that now and then.
minimum_rate(Context, snapshot_write, Rate) when Rate < ?SNAPSHOT_MIN_RATE ->
    send(Context, ex_esdb_metrics, <<"throughput">>,
         demo_payloads:metric_alert(snapshot_write_rate_per_sec, round3(Rate), ?SNAPSHOT_MIN_RATE, min, warning, node()));
minimum_rate(_Context, _Operation, _Rate) ->
    ok.

resources(Context, Degraded) ->
    Cpu = clamp(30 * drift(Context, 3.0) * noise(0.1) * pick(Degraded, 2.2, 1.0)),
    Memory = clamp(55 * drift(Context, 2.0) * noise(0.02) * pick(Degraded, 1.3, 1.0)),
    Disk = pick(Degraded, 93.5, clamp(62 * noise(0.01))),
    Network = clamp(18 * drift(Context, 4.0) * noise(0.15)),
    [send(Context, ex_esdb_metrics, <<"resource_usage">>, demo_payloads:resource(Type, round3(Percent), Total,
                                                                                  round(Total * Percent / 100)))
     || {Type, Percent, Total} <- [{cpu, Cpu, 8000}, {memory, Memory, 17179869184},
                                   {disk, Disk, 536870912000}, {network, Network, 125000000}]],
    case Disk > ?DISK_THRESHOLD_PERCENT of
        true ->
            send(Context, ex_esdb_metrics, <<"resource_usage">>,
                 demo_payloads:metric_alert(disk_usage_percent, Disk, ?DISK_THRESHOLD_PERCENT, max, critical, node()));
        false -> ok
    end.

performance(Context = #{index := Index}, Degraded) ->
    QueueDepth = round(40 * drift(Context, 5.0) * noise(0.2) * pick(Degraded, 8.0, 1.0)),
    send(Context, ex_esdb_metrics, <<"persistence">>,
         demo_payloads:performance(persistence, write_queue_depth, QueueDepth, <<"items">>,
                                   #{shard => Index, batch_size => 64, store => <<"demo_store">>})),
    Flush = round3(4.0 * noise(0.1) * pick(Degraded, 4.0, 1.0)),
    send(Context, ex_esdb_metrics, <<"persistence">>,
         demo_payloads:performance(persistence, flush_duration_ms, Flush, <<"ms">>, #{shard => Index})),
    Pending = round(120 * drift(Context, 6.0) * noise(0.3)),
    send(Context, ex_esdb_metrics, <<"emitter">>,
         demo_payloads:performance(emitter, pending_events, Pending, <<"events">>, #{pool_size => 4})).

health_loop(Context) ->
    health_loop(Context, nil).

health_loop(Context = #{health_ms := Interval}, LastCheck) ->
    Now = gater_wire:utc_now(),
    Degraded = degraded(Context, node()),
    node_health(Context, Degraded),
    [component(Context, Component, Degraded, LastCheck) || Component <- ?COMPONENTS],
    [check(Context, Check, Degraded) || Check <- ?CHECKS],
    cluster_view(Context),
    timer:sleep(Interval),
    health_loop(Context, Now).

node_health(Context, Degraded) ->
    Checks = #{disk => not Degraded, memory => true, raft => ok, network => true},
    Status = pick(Degraded, degraded, healthy),
    send(Context, ex_esdb_health, health_topic(),
         demo_payloads:node_health(node(), Status, Checks, round3(1.2 * noise(0.2) * pick(Degraded, 3.0, 1.0)),
                                   round3(55 * noise(0.02)), pick(Degraded, 93.5, 62.0))).

component(Context, Component, Degraded, LastCheck) ->
    Status = pick(Degraded andalso Component =:= persistence, degraded, healthy),
    send(Context, ex_esdb_health, <<"component_health">>,
         demo_payloads:component_health(Component, Status, #{store_id => demo_store}, LastCheck)).

check(Context, disk_space, true) ->
    send(Context, ex_esdb_health, health_topic(),
         demo_payloads:health_check(disk_space, fail, 40 + rand:uniform(30), #{free_percent => 6.5},
                                    <<"disk 93.5% full">>));
check(Context, Check, _Degraded) ->
    send(Context, ex_esdb_health, health_topic(),
         demo_payloads:health_check(Check, pass, 2 + rand:uniform(20), #{}, nil)).

%% This node's view of the cluster: who is reachable and, by the shared schedule, degraded.
cluster_view(Context = #{nodes := Nodes}) ->
    Reachable = [Node || Node <- Nodes, Node =:= node() orelse lists:member(Node, nodes())],
    Unreachable = Nodes -- Reachable,
    Degraded = [Node || Node <- Reachable, degraded(Context, Node)],
    Healthy = Reachable -- Degraded,
    Status = if
                 length(Reachable) =< length(Nodes) div 2 -> unhealthy;
                 Unreachable =/= [] orelse Degraded =/= [] -> degraded;
                 true -> healthy
             end,
    send(Context, ex_esdb_health, <<"cluster:health">>,
         demo_payloads:cluster_health(Status, Healthy, length(Nodes), Degraded, Unreachable)),
    [send(Context, ex_esdb_health, <<"cluster:health">>,
          demo_payloads:node_health(Node, unhealthy, #{reachable => false}, nil, nil, nil))
     || Node <- Unreachable].

%% Whether Node is in its degraded episode now: node i of n is degraded during
%% [i * cycle/n + cycle/(2n), + degraded_ms) of every cycle.
degraded(#{nodes := Nodes, cycle_ms := Cycle, degraded_ms := Length}, Node) ->
    case index_of(Node, Nodes, 0) of
        none -> false;
        Index ->
            N = length(Nodes),
            Start = Index * Cycle div N + Cycle div (2 * N),
            Phase = erlang:system_time(millisecond) rem Cycle,
            Phase >= Start andalso Phase < Start + Length
    end.

index_of(_, [], _) -> none;
index_of(Node, [Node | _], Index) -> Index;
index_of(Node, [_ | Rest], Index) -> index_of(Node, Rest, Index + 1).

health_topic() ->
    <<"demo_store:health">>.

send(Context, Bus, Topic, Inner) ->
    exesdb_demo:broadcast(Context, Bus, Topic, Inner).

%% A slow wave over ten minutes, shifted per node and per quantity, between 0.75 and 1.25.
drift(#{index := Index}, Shift) ->
    Seconds = erlang:system_time(millisecond) / 1000,
    1.0 + 0.25 * math:sin(2 * math:pi() * Seconds / 600 + Index + Shift).

noise(Amplitude) ->
    1.0 + Amplitude * (2 * rand:uniform() - 1).

pick(true, Yes, _) -> Yes;
pick(false, _, No) -> No.

clamp(Percent) -> min(99.5, max(0.5, Percent)).

round3(Value) -> round(Value * 1000) / 1000.
