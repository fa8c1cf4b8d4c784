%% DEMO ONLY (a stand-in for a real ExESDB cluster): one node's traffic on the system, lifecycle,
%% audit, diagnostics, security and logging buses.
%%
%% loop: every ops_ms, logins (now and then a failure), sessions created and ended with their
%% lengths, accesses and data changes for the audit trail, a debug trace and a system state
%% snapshot, log entries (mostly info, some warnings, few errors); less often an access
%% violation, an admin action, a compliance event, a performance or error analysis, a log summary,
%% filter or rotation, a configuration change, and a worker that crashes and is restarted. Once per
%% cycle each node (in turns) sees a brute-force episode: a burst of login failures and
%% unauthorized accesses, then a SecurityAlert. The first of everything comes within the first
%% rounds, so that a fresh demo shows every family at once.
%% announcer: a node's start (SystemLifecycle, with its version), features, supervisor children
%% and membership, and one message of each rare kind, sent when a subscriber joins the bus (DEMO
%% ONLY: a real node says so once, when it starts, and an exporter that joins later learns it at
%% the node's next start), and node joins and losses as they happen.
-module(demo_operations).
-export([loop/1, announcer/1]).

-define(SCOPE, 'Elixir.Phoenix.PubSub').
-define(VERSION, <<"0.11.0">>).
-define(COMPONENTS, [emitter_pool, persistence, subscriptions, store_worker]).
-define(MODULES, ['Elixir.ExESDB.StreamsWriter', 'Elixir.ExESDB.EmitterPool', 'Elixir.ExESDB.SubscriptionsReader',
                  'Elixir.ExESDB.StoreWorker', 'Elixir.ExESDB.Snapshots']).
-define(USERS, [<<"user-42">>, <<"user-7">>, <<"svc-projections">>, <<"svc-ingest">>]).
-define(EPISODE_ROUNDS, 6).

loop(Context) ->
    loop(Context, 1, 0).

loop(Context = #{ops_ms := Interval}, Round, Restarts) ->
    security(Context, Round),
    audit(Context, Round),
    diagnostics(Context, Round),
    logging(Context, Round),
    NextRestarts = lifecycle(Context, Round, Restarts),
    timer:sleep(Interval),
    loop(Context, Round + 1, NextRestarts).

%% Rounds per cycle: each node's brute-force episode, restarts and configuration changes recur at it.
cycle_rounds(#{cycle_ms := Cycle, ops_ms := Interval}) -> max(12, Cycle div Interval).

%% Node i's episode starts in round 3 + 6i of every cycle.
in_episode(Context = #{index := Index}, Round) ->
    Offset = Round - (3 + ?EPISODE_ROUNDS * Index),
    Offset >= 0 andalso Offset rem cycle_rounds(Context) < ?EPISODE_ROUNDS.

episode_ends(Context = #{index := Index}, Round) ->
    Offset = Round - (3 + ?EPISODE_ROUNDS * Index),
    Offset >= 0 andalso Offset rem cycle_rounds(Context) =:= ?EPISODE_ROUNDS - 1.

security(Context, Round) ->
    Episode = in_episode(Context, Round),
    [send(Context, <<"auth_events">>, demo_ops_payloads:auth_event(user(), login_success, pick([password, token])))
     || _ <- lists:seq(1, 1 + rand:uniform(2))],
    Failures = case Episode of true -> 5; false -> chance(20, 1, 0) end,
    [send(Context, <<"auth_events">>, demo_ops_payloads:auth_event(<<"admin">>, login_failure, password))
     || _ <- lists:seq(1, Failures)],
    chance(10, fun() -> send(Context, <<"auth_events">>, demo_ops_payloads:auth_event(user(), token_refresh, token)) end),
    send(Context, <<"session_events">>, demo_ops_payloads:session_event(user(), created, nil)),
    send(Context, <<"session_events">>,
         demo_ops_payloads:session_event(user(), pick([destroyed, expired]), 60000 * (2 + rand:uniform(58)))),
    case Episode of
        true -> send(Context, <<"access_violations">>, demo_ops_payloads:access_violation(unauthorized_access, high));
        false when Round =:= 2 -> violation(Context);
        false -> chance(10, fun() -> violation(Context) end)
    end,
    case episode_ends(Context, Round) of
        true ->
            send(Context, <<"security_alerts">>,
                 demo_ops_payloads:security_alert(brute_force, high,
                                                  <<"30 failed logins for admin within 30 seconds (demo)">>, [<<"admin">>]));
        false ->
            chance(3, fun() ->
                              send(Context, <<"security_alerts">>,
                                   demo_ops_payloads:security_alert(suspicious_activity, medium,
                                                                    <<"login from an unusual network (demo)">>, [user()]))
                      end)
    end.

violation(Context) ->
    {Type, Severity} = pick([{permission_denied, low}, {rate_limit_exceeded, medium}]),
    send(Context, <<"access_violations">>, demo_ops_payloads:access_violation(Type, Severity)).

audit(Context, Round) ->
    send(Context, <<"data_changes">>, demo_ops_payloads:data_change(<<"stream">>, pick([create, update]), user())),
    send(Context, <<"access_logs">>,
         demo_ops_payloads:access_log(<<"stream">>, <<"read">>, rand:uniform(100) > 5, rand:uniform(20))),
    send(Context, <<"access_logs">>,
         demo_ops_payloads:access_log(<<"subscription">>, <<"subscribe">>, true, 2 + rand:uniform(40))),
    first_or_chance(Round, 2, 2, fun() ->
        send(Context, <<"admin_actions">>, demo_ops_payloads:admin_action(pick([permissions_changed, user_created]), <<"admin">>))
    end),
    first_or_chance(Round, 3, 1, fun() ->
        send(Context, <<"compliance">>, demo_ops_payloads:compliance(data_retention, true))
    end).

diagnostics(Context, Round) ->
    send(Context, <<"debug_traces">>,
         demo_ops_payloads:debug_trace(pick(?COMPONENTS), <<"dispatch">>, rand:uniform(300))),
    send(Context, <<"system_state">>,
         demo_ops_payloads:system_state(partial, 1800 + rand:uniform(200), erlang:memory(total))),
    every(Round, 2, 20, fun() ->
        send(Context, <<"performance_analysis">>,
             demo_ops_payloads:performance_analysis(persistence, pick([bottleneck, io_analysis]),
                                                    #{queue_depth => 40 + rand:uniform(400), fsync_p99_ms => 2.5 + rand:uniform(10)},
                                                    pick([low, medium])))
    end),
    every(Round, 3, 15, fun() ->
        send(Context, <<"error_analysis">>, demo_ops_payloads:error_analysis(pick([timeout, noproc]), rand:uniform(12)))
    end).

logging(Context, Round) ->
    [log(Context, info) || _ <- lists:seq(1, 3)],
    chance(30, fun() -> log(Context, warn) end),
    case Round of
        1 -> log(Context, error);
        _ -> chance(10, fun() -> log(Context, error) end)
    end,
    every(Round, 1, 12, fun() ->
        send(Context, <<"system_logs">>,
             demo_ops_payloads:log_summary(#{info => 36, warn => 4, error => 1}, 1.0))
    end),
    every(Round, 2, 240, fun() -> send(Context, <<"system_logs">>, demo_ops_payloads:log_filter(level, exclude)) end),
    every(Round, 4, 60, fun() ->
        send(Context, <<"system_logs">>, demo_ops_payloads:log_rotation(<<"application">>, 10485760, 52000 + rand:uniform(1000)))
    end).

log(Context, Level) ->
    send(Context, <<"application_logs">>,
         demo_ops_payloads:log_entry(Level, pick(?MODULES), <<"demo log entry">>)).

%% A worker crashes and is restarted once per cycle (node i first in round 5 + i); a
%% configuration change every other cycle.
lifecycle(Context = #{index := Index}, Round, Restarts) ->
    every(Round, 6, 2 * cycle_rounds(Context), fun() ->
        send(Context, <<"config">>, demo_ops_payloads:system_config(store, #{max_batch_size => 500 + rand:uniform(500)}))
    end),
    case (Round - 5 - Index) rem cycle_rounds(Context) of
        0 when Round >= 5 + Index ->
            Worker = emitter_worker,
            send(Context, <<"process_lifecycle">>,
                 demo_ops_payloads:process_lifecycle(Worker, 'Elixir.ExESDB.EmitterWorker', crashed, Restarts)),
            send(Context, <<"process_lifecycle">>,
                 demo_ops_payloads:process_lifecycle(Worker, 'Elixir.ExESDB.EmitterWorker', restarted, Restarts + 1)),
            send(Context, <<"supervision">>, demo_ops_payloads:supervision(child_terminated, Worker)),
            send(Context, <<"supervision">>, demo_ops_payloads:supervision(child_started, Worker)),
            Restarts + 1;
        _ -> Restarts
    end.

announcer(Context) ->
    ok = net_kernel:monitor_nodes(true),
    {Ref, _} = pg:monitor_scope(?SCOPE),
    announcer(Context, Ref).

announcer(Context, Ref) ->
    receive
        {Ref, join, 'Elixir.ex_esdb_system.Adapter', Pids} ->
            case [Pid || Pid <- Pids, node(Pid) =/= node()] of
                [] -> ok;
                _ -> announce(Context)
            end;
        {nodeup, Node} -> membership(Context, Node, joined, node_added);
        {nodedown, Node} -> membership(Context, Node, down, node_removed);
        _ -> ok
    end,
    announcer(Context, Ref).

announce(Context = #{started_at := StartedAt}) ->
    send(Context, <<"lifecycle">>, demo_ops_payloads:system_lifecycle(started, ?VERSION, StartedAt)),
    send(Context, <<"features">>, demo_ops_payloads:feature_toggle(snapshots, true, false)),
    send(Context, <<"features">>, demo_ops_payloads:feature_toggle(compaction, false, true)),
    [send(Context, <<"supervision">>, demo_ops_payloads:supervision(child_started, Child))
     || Child <- [store_worker, emitter_pool]],
    send(Context, <<"process_lifecycle">>,
         demo_ops_payloads:process_lifecycle(demo_store, unknown, store_started, 0)),
    membership(Context, node(), joined, node_added),
    % The rare kinds once each, so that a subscriber sees every kind at once.
    send(Context, <<"config">>, demo_ops_payloads:system_config(store, #{max_batch_size => 500})),
    send(Context, <<"admin_actions">>, demo_ops_payloads:admin_action(user_created, <<"admin">>)),
    send(Context, <<"compliance">>, demo_ops_payloads:compliance(data_retention, true)),
    send(Context, <<"performance_analysis">>,
         demo_ops_payloads:performance_analysis(persistence, bottleneck, #{queue_depth => 120, fsync_p99_ms => 4.5}, low)),
    send(Context, <<"error_analysis">>, demo_ops_payloads:error_analysis(timeout, 2)),
    send(Context, <<"system_logs">>, demo_ops_payloads:log_filter(level, exclude)),
    send(Context, <<"system_logs">>, demo_ops_payloads:log_rotation(<<"application">>, 10485760, 52000)).

membership(Context = #{nodes := Nodes}, Node, NodeEvent, Change) ->
    Active = [N || N <- Nodes, N =:= node() orelse lists:member(N, nodes())],
    send(Context, <<"node_lifecycle">>, demo_ops_payloads:node_lifecycle(Node, NodeEvent, length(Active))),
    send(Context, <<"cluster_membership">>,
         demo_ops_payloads:cluster_membership(Change, [Node], Active, length(Nodes))).

send(Context, Topic, {Tag, _} = Inner) ->
    exesdb_demo:broadcast(Context, gater_wire:bus(Tag), Topic, Inner).

user() -> pick(?USERS).

pick(List) -> lists:nth(rand:uniform(length(List)), List).

%% Percent chance of Action (a fun) running; or of Yes rather than No.
chance(Percent, Action) ->
    case rand:uniform(100) =< Percent of
        true -> Action();
        false -> ok
    end.

chance(Percent, Yes, No) ->
    case rand:uniform(100) =< Percent of
        true -> Yes;
        false -> No
    end.

%% Action in round First, then with Percent chance each round.
first_or_chance(First, First, _Percent, Action) -> Action();
first_or_chance(_Round, _First, Percent, Action) -> chance(Percent, Action).

%% Action in round First and every Period rounds after.
every(Round, First, Period, Action) when Round >= First, (Round - First) rem Period =:= 0 -> Action();
every(_Round, _First, _Period, _Action) -> ok.
