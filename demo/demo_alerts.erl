%% DEMO ONLY (a stand-in for a real ExESDB cluster): occasional SystemAlerts of one node and the
%% life of those that need an acknowledgement: some are acked within escalate_ms, the others are
%% escalated level1 -> level2 (and some on to level3) with a NotificationStatus per contact, then
%% acked. The first alert of a node is a critical one that escalates once, so that every kind of
%% message is seen within a few escalate_ms of the start; the nodes raise it one after the other
%% (first_alert_ms apart), so that an exporter that joins late still sees one.
-module(demo_alerts).
-export([loop/1]).

%% {severity, category, title}: the list is the weighting (info and warning are the common ones).
-define(CATALOGUE,
        [{info, system, <<"Snapshot completed">>}, {info, system, <<"Leader re-elected">>},
         {info, data, <<"Stream compaction finished">>}, {warning, performance, <<"Write latency above target">>},
         {warning, data, <<"Projection lagging behind the log">>},
         {warning, security, <<"Repeated authentication failures">>},
         {error, data, <<"Subscription checkpoint failed">>}, {error, system, <<"Store worker restarted">>},
         {critical, network, <<"Replication link flapping">>}]).

loop(Context = #{first_alert_ms := First, index := Index}) ->
    timer:sleep(First * (Index + 1)),
    raise(Context, 1, {critical, network, <<"Replication link flapping">>}),
    loop(Context, 2).

loop(Context = #{alert_ms := Interval}, Seq) ->
    timer:sleep(Interval div 2 + rand:uniform(Interval)),
    raise(Context, Seq, lists:nth(rand:uniform(length(?CATALOGUE)), ?CATALOGUE)),
    loop(Context, Seq + 1).

raise(Context, Seq, {Severity, Category, Title}) ->
    AlertId = iolist_to_binary(io_lib:format("~s-~b", [node(), Seq])),
    RequiresAck = Severity =/= info,
    Description = iolist_to_binary(io_lib:format("~s on ~s (demo)", [Title, node()])),
    exesdb_demo:broadcast(Context, ex_esdb_alerts, topic(Severity),
                          demo_payloads:system_alert(AlertId, Severity, Category, Title, Description,
                                                     #{demo => true, sequence => Seq}, RequiresAck)),
    case RequiresAck of
        true -> spawn(fun() -> follow_up(Context, AlertId, plan(Seq)) end);
        false -> ok
    end.

topic(critical) -> <<"critical">>;
topic(_) -> <<"warnings">>.

%% How far an alert goes before someone acks it.
plan(Seq) ->
    case Seq rem 3 of
        1 -> [level2];
        2 -> [];
        0 -> [level2, level3]
    end.

follow_up(Context = #{escalate_ms := Delay}, AlertId, Levels) ->
    escalate(Context, AlertId, level1, Levels),
    timer:sleep(Delay),
    exesdb_demo:broadcast(Context, ex_esdb_alerts, <<"warnings">>,
                          demo_payloads:alert_ack(AlertId, <<"oncall-demo">>, <<"looked into it (demo)">>)).

escalate(_Context, _AlertId, _From, []) ->
    ok;
escalate(Context = #{escalate_ms := Delay}, AlertId, From, [To | Rest]) ->
    timer:sleep(Delay),
    Contacts = contacts(To),
    exesdb_demo:broadcast(Context, ex_esdb_alerts, <<"escalations">>,
                          demo_payloads:escalation(AlertId, From, To, [Recipient || {_, Recipient} <- Contacts])),
    [exesdb_demo:broadcast(Context, ex_esdb_alerts, <<"escalations">>,
                           demo_payloads:notification(AlertId, Method, Recipient, outcome(Method), rand:uniform(2)))
     || {Method, Recipient} <- Contacts],
    escalate(Context, AlertId, To, Rest).

contacts(level2) ->
    [{email, <<"oncall@example.com">>}, {webhook, <<"https://hooks.example.internal/exesdb">>}];
contacts(level3) ->
    contacts(level2) ++ [{sms, <<"+15550100">>}, {push, <<"sre-lead">>}].

%% Mostly delivered; now and then a failure or a bounce, as real channels do.
outcome(Method) ->
    case {Method, rand:uniform(10)} of
        {webhook, 1} -> failed;
        {email, 1} -> bounced;
        {email, _} -> delivered;
        {webhook, _} -> delivered;
        {_, 1} -> failed;
        _ -> sent
    end.
