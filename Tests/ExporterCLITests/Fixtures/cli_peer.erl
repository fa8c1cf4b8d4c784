%% Test fixture: a node that reports which hidden nodes are connected, once a second.
-module(cli_peer).
-export([start/0]).

start() ->
    io:format("ready ~s~n", [node()]),
    loop().

loop() ->
    io:format("hidden ~p~n", [nodes(hidden)]),
    timer:sleep(500),
    loop().
