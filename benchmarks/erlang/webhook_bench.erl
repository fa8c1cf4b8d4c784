%% The BEAM side of the webhook benchmark: an ExESDB node's alert bus as the wire sees it (an OTP
%% pg scope registered as 'Elixir.Phoenix.PubSub', the group 'Elixir.ex_esdb_alerts.Adapter'),
%% broadcasting signed AlertEscalations stamped with the time they were sent.
%%
%% start(Secret)  registers `escalator`, prints `ready`, and on {escalate, Prefix, N, IntervalMs}
%%                broadcasts N escalations (alert ids Prefix1..PrefixN), one every IntervalMs, each
%%                with escalation_reason = os:system_time(microsecond) when it was sent.
-module(webhook_bench).
-export([start/1]).

-define(SCOPE, 'Elixir.Phoenix.PubSub').
-define(GROUP, 'Elixir.ex_esdb_alerts.Adapter').

start(Secret) ->
    {ok, _} = pg:start_link(?SCOPE),
    register(escalator, self()),
    io:format("ready ~s~n", [node()]),
    loop(Secret).

loop(Secret) ->
    receive
        {escalate, Prefix, N, IntervalMs} ->
            [begin escalate(Secret, Prefix, I), timer:sleep(IntervalMs) end || I <- lists:seq(1, N)]
    end,
    loop(Secret).

escalate(Secret, Prefix, I) ->
    SentAt = integer_to_binary(os:system_time(microsecond)),
    Inner = {alert_escalated,
             #{'__struct__' => 'Elixir.ExESDBGater.Messages.AlertMessages.AlertEscalation',
               alert_id => <<Prefix/binary, (integer_to_binary(I))/binary>>, from_level => level1,
               to_level => level2, escalation_reason => SentAt, escalated_by => bench,
               notify_contacts => [<<"ops@example.com">>], timestamp => nil}},
    Message = {secure_message, crypto:mac(hmac, sha256, Secret, term_to_binary(Inner)), Inner},
    [Pid ! {forward_to_local, <<"escalations">>, Message, ?SCOPE}
     || Pid <- pg:get_members(?SCOPE, ?GROUP), node(Pid) =/= node()],
    ok.
