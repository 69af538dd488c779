# Generated from routeros/setup.rsc.in and routeros/ddns.rsc by `make routeros` (developers: edit those).
# ddns-gateway setup for RouterOS 7.15 ... 7.24: one import sets up the gateway container,
# its network and firewall allowance, and the "ddns" update script with its scheduler.
# Running it again changes only what you changed here and picks up where a run stopped:
# nothing is ever added twice.
#
# Before: containers, fetch and the scheduler allowed, in one device-mode update (RouterOS
# then asks for one press of the reset button, or a power cycle):
#   /system/device-mode/update container=yes fetch=yes scheduler=yes
# and the "container" package installed (if this import stops at "bad command name
# container", it is not). Then edit the settings below, upload this file, and run:
#   /import file-name=setup.rsc
# Every line it prints is also in /log, prefixed "ddns-gateway setup:". Its last line is
# "ddns-gateway setup: done: ..." or the one thing to fix, with the step it stopped at.
# The RouterOS behaviour it relies on, and where each fact comes from: routeros/README.md.
{
# --- settings ---
# The image: a registry reference that the router pulls, or a docker-archive file you
# uploaded (ddns-gateway-arm64.tar ...). Boards on the EN7562CT chip (hEX refresh, hEX S
# 2025) need the ARMv5 build: the "-armv5" tag (latest-armv5) or ddns-gateway-armv5.tar.
:local image "ghcr.io/OWNER/ddns-gateway:latest"
# Where the image is unpacked and, when pulling, downloaded first: on boards with little
# flash a USB disk ("usb1/...") or a tmpfs (/disk add type=tmpfs tmpfs-max-size=20M).
# pullDir is only set when /container config has no tmpdir yet ("" leaves it alone).
:local rootDir "usb1/ddns-gateway"
:local pullDir "usb1/pull"
# The provider: cloudflare, aliyun, tencent, huaweicloud, edgeone, esa or porkbun; and the
# zone as the provider knows it.
:local provider "cloudflare"
:local zone "example.com"
# Cloudflare: credId "" and credSecret an API token (Zone.DNS edit, Zone.Zone read).
# Every other provider needs both: credId the key's id (Aliyun/ESA AccessKey ID, Tencent/
# EdgeOne SecretId, Huawei Cloud access key id, Porkbun API key), credSecret its secret.
:local credId ""
:local credSecret ""
# A records: this router's public IPv4 address on wan4. "@" is the zone itself.
:local records4 {"home"}
:local wan4 "pppoe-out1"
# AAAA records: this router's global IPv6 address on lan6 ...
:local records6 [:toarray ""]
# ... and LAN hosts, as record=MAC for hosts that make their address from their MAC
# (EUI-64), e.g. {"nas"="00:11:22:33:44:55"}, or record="interface identifier", e.g.
# {"nas"="::11:22ff:fe33:4455"}: their records follow the prefix your ISP delegates.
:local hosts6 [:toarray ""]
:local lan6 "bridge"
# "" keeps each record's TTL and leaves its comment alone.
:local ttl ""
:local comment ""
# How often the update script runs (it calls the gateway only when an address changed).
:local interval "1m"
# The gateway's token: "" makes a random one (and keeps it on later runs).
:local authToken ""
# DEBUG, INFO, WARNING, ERROR or CRITICAL: the container's lines reach /log.
:local logLevel "INFO"
# The container's network. It uses the router as DNS server unless containerDns says otherwise.
# vethName: at most 14 characters (RouterOS 7.20 and newer refuse longer interface names).
:local vethName "veth-ddns"
:local containerAddress "172.17.0.2/24"
:local routerAddress "172.17.0.1"
:local bridgeName "containers"
:local containerDns "172.17.0.1"
# true: replace the ddns-gateway container with the image above (an upgrade).
:local reinstall false
# --- end of settings ---

:local say do={ :put ("ddns-gateway setup: " . $1); :log info ("ddns-gateway setup: " . $1) }
:local problem do={ :put ("ddns-gateway setup: " . $1); :log error ("ddns-gateway setup: " . $1) }
# A value as a RouterOS string literal, for the settings written into the update script.
:local quote do={
    :local out ""
    :local s [:tostr $1]
    :if ([:len $s] > 0) do={
        :for i from=0 to=([:len $s] - 1) do={
            :local c [:pick $s $i]
            :if ($c = "\\" or $c = "\"" or $c = "\$") do={ :set out ($out . "\\") }
            :set out ($out . $c)
        }
    }
    :return ("\"" . $out . "\"")
}
# What the container is doing, read from the whole item (the one form every version
# answers): the "status" text up to 7.19, the first flag set from 7.20; "gone" when there
# is no such item, "unknown" when neither reads. Only "stopped", "running" and "error" are
# acted on; any other state is waited out.
:local stateOf do={
    :local c ""
    :onerror e in={ :set c [/container get $1] } do={}
    :if ([:typeof $c] != "array") do={ :return "gone" }
    :local s [:tostr ($c->"status")]
    :foreach f in={"error";"extracting";"pulling";"downloading";"stopping";"starting";"running";"stopped"} do={
        :local v [:tostr ($c->$f)]
        :if ($s = "" and ($v = "true" or $v = "yes")) do={ :set s $f }
    }
    :if ($s = "") do={ :set s "unknown" }
    :return $s
}
# Whether the gateway answers GET /health, the same way on every version.
:local answers do={
    :local ok false
    :onerror e in={
        :local r [/tool fetch url=($1 . "/health") idle-timeout=3s output=user as-value]
        :if ([:typeof [:find ($r->"data") "\"status\":\"ok\""]] = "num") do={ :set ok true }
    } do={}
    :return $ok
}
# Time since `$1` (an uptime): deadlines on uptime hold when NTP sets the clock meanwhile.
:local since do={ :return ([/system resource get uptime] - $1) }
# The comment on everything the setup makes. Not named like any item's property: inside
# "find where", $tag would be the container's own tag, not this variable.
:local madeBy "ddns-gateway"
:local fromFile ([:typeof [:find $image ".tar"]] = "num")

:local step "1 (check the settings)"
:local failure ""
:onerror err in={
# 1. Everything is checked before anything is changed.
:local bad 0
:local providers {"cloudflare";"aliyun";"tencent";"huaweicloud";"edgeone";"esa";"porkbun"}
:if ([:typeof [:find $providers $provider]] != "num") do={
    $problem ("provider: \"" . $provider . "\" is not one of cloudflare, aliyun, tencent, huaweicloud, edgeone, esa, porkbun"); :set bad ($bad + 1)
}
:if (($zone = "") or ($zone = "example.com")) do={ $problem "zone: set your own zone"; :set bad ($bad + 1) }
:if (($credSecret = "") or ([:typeof [:find $credSecret "CHANGE-ME"]] = "num")) do={
    $problem "credSecret: set the provider credential"; :set bad ($bad + 1)
}
:if (($provider != "cloudflare") and ($credId = "")) do={ $problem ("credId: " . $provider . " needs the key id too"); :set bad ($bad + 1) }
# The update script sends them bare (ApiKey id=... secret=...): no provider key has these.
:local odd 0
:foreach ch in={" ";",";";";"\"";"'"} do={
    :if ([:typeof [:find ($credId . $credSecret) $ch]] = "num") do={ :set odd ($odd + 1) }
}
:if ($odd > 0) do={ $problem "credId, credSecret: a key has no spaces, commas, semicolons or quotes: check what was pasted"; :set bad ($bad + 1) }
:if (([:len $records4] + [:len $records6] + [:len $hosts6]) = 0) do={ $problem "records4, records6, hosts6: name at least one record"; :set bad ($bad + 1) }
:if (([:len $records4] > 0) and ([:len [/interface find where name=$wan4]] = 0)) do={
    $problem ("wan4: there is no interface \"" . $wan4 . "\""); :set bad ($bad + 1)
}
:if ((([:len $records6] + [:len $hosts6]) > 0) and ([:len [/interface find where name=$lan6]] = 0)) do={
    $problem ("lan6: there is no interface \"" . $lan6 . "\""); :set bad ($bad + 1)
}
:if ([:typeof [:find $image "OWNER"]] = "num") do={ $problem "image: replace OWNER with the publisher's name, or give an uploaded file"; :set bad ($bad + 1) }
:if ($fromFile and ([:len [/file find where name=$image]] = 0)) do={
    $problem ("image: no file \"" . $image . "\" on the router: upload it first (/file print shows the names)"); :set bad ($bad + 1)
}
:if (($authToken != "") and (([:len $authToken] < 16) or ([:typeof [:find $authToken "CHANGE-ME"]] = "num"))) do={
    $problem "authToken: use 16 or more random characters, or \"\" to have one made"; :set bad ($bad + 1)
}
:if (([:typeof [:find $authToken ","]] = "num") or ([:typeof [:find $authToken " "]] = "num")) do={
    $problem "authToken: no commas or spaces (it goes into an HTTP header)"; :set bad ($bad + 1)
}
:if (([:len $vethName] = 0) or ([:len $vethName] > 14)) do={
    $problem ("vethName: \"" . $vethName . "\" has " . [:len $vethName] . " characters; RouterOS 7.20 and newer take 1 to 14"); :set bad ($bad + 1)
}
:if ([:typeof [:find $containerAddress "/"]] != "num") do={
    $problem "containerAddress: give it with its length, like 172.17.0.2/24"; :set bad ($bad + 1)
}
# RouterOS will not start a container while /ip dns has no servers.
:if (([:len [/ip dns get servers]] + [:len [/ip dns get dynamic-servers]]) = 0) do={
    $problem "/ip dns has no servers: RouterOS starts no container without them (/ip dns set servers=... or take them from DHCP/PPPoE)"; :set bad ($bad + 1)
}
:if (($containerDns = $routerAddress) and (![/ip dns get allow-remote-requests])) do={
    $problem "the container asks the router for DNS: /ip dns set allow-remote-requests=yes (the default firewall keeps WAN out), or set containerDns to another server"; :set bad ($bad + 1)
}
# Home mode (the factory mode of home routers from 7.17) turns off fetch and the scheduler
# as well as containers: all three are checked, and one update turns on what is off.
:local mode [:toarray ""]
:onerror e in={ :set mode [/system device-mode get] } do={}
:local off ""
:foreach f in={"container";"fetch";"scheduler"} do={
    :local v [:tostr ($mode->$f)]
    :if ($v = "false" or $v = "no") do={ :set off ($off . " " . $f . "=yes") }
}
:if ($off != "") do={
    $problem ("device-mode does not allow what the setup needs: /system/device-mode/update" . $off . ", then press the reset button (or power-cycle) within 5 minutes"); :set bad ($bad + 1)
}
# An earlier version of this setup could add the container twice (its lookup never matched).
:local ours [/container find where comment=$madeBy]
:if (([:len $ours] > 1) and !$reinstall) do={
    $problem ("there are " . [:len $ours] . " containers with the comment \"ddns-gateway\": set reinstall true to replace them with one"); :set bad ($bad + 1)
}
:if ($bad > 0) do={ :error ($bad . " setting(s) to fix, see above; nothing was changed") }
:local containerIp [:pick $containerAddress 0 [:find $containerAddress "/"]]
:local prefixLen [:pick $containerAddress ([:find $containerAddress "/"] + 1) [:len $containerAddress]]
:local gateway ("http://" . $containerIp . ":38080")

# 2. The container's network: a veth on its own bridge, the router at routerAddress.
:set step "2 (the container's network)"
:if ([:len [/interface veth find where name=$vethName]] = 0) do={
    /interface veth add name=$vethName address=$containerAddress gateway=$routerAddress comment=$madeBy
    $say ("added veth " . $vethName . " " . $containerAddress)
}
:if ([:len [/interface bridge find where name=$bridgeName]] = 0) do={
    /interface bridge add name=$bridgeName comment=$madeBy
    $say ("added bridge " . $bridgeName)
}
:if ([:len [/ip address find where interface=$bridgeName and address=($routerAddress . "/" . $prefixLen)]] = 0) do={
    /ip address add address=($routerAddress . "/" . $prefixLen) interface=$bridgeName comment=$madeBy
}
:if ([:len [/interface bridge port find where bridge=$bridgeName and interface=$vethName]] = 0) do={
    /interface bridge port add bridge=$bridgeName interface=$vethName comment=$madeBy
}
# The container reaches the provider's API through the router's WAN.
:if ([:len [/ip firewall nat find where comment=$madeBy]] = 0) do={
    /ip firewall nat add chain=srcnat action=masquerade src-address=$containerIp comment=$madeBy
    $say "added masquerade for the container"
}
# The factory firewall drops input from every interface outside the LAN list, and with it
# the container's DNS queries. Accept just those, from the container's address, ahead of
# the input rules; adding the bridge to LAN would also open WinBox, SSH and the API to it.
:if ($containerDns = $routerAddress) do={
    :foreach proto in={"udp";"tcp"} do={
        :local why ($madeBy . ": container DNS " . $proto)
        :if ([:len [/ip firewall filter find where comment=$why]] = 0) do={
            :local first [/ip firewall filter find where chain="input" and !dynamic]
            :if ([:len $first] > 0) do={
                /ip firewall filter add chain=input action=accept protocol=$proto dst-port=53 in-interface=$bridgeName src-address=$containerIp comment=$why place-before=[:pick $first 0]
            } else={
                /ip firewall filter add chain=input action=accept protocol=$proto dst-port=53 in-interface=$bridgeName src-address=$containerIp comment=$why
            }
            $say ("added input accept for the container's DNS (" . $proto . ")")
        }
    }
}

# 3. The gateway's settings, as an environment list. Its entries are found by their
# comment and key, which every version has; the list's own parameter is "name" up to
# 7.19 and "list" from 7.20 and has no common spelling, so adding one is tried both ways.
:set step "3 (the gateway's settings)"
:local envTag ($madeBy . " env")
:if ($authToken = "") do={
    :foreach id in=[/container envs find where comment=$envTag and key="DDNS_GATEWAY_AUTH_TOKENS"] do={
        :set authToken [/container envs get $id value]
    }
}
:if ($authToken = "") do={
    :set authToken [:rndstr length=40 from="abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"]
    $say "made a random gateway token"
}
:local envs {"DDNS_GATEWAY_AUTH_ENABLED"="true";"DDNS_GATEWAY_AUTH_TOKENS"=$authToken;"DDNS_GATEWAY_HEALTH_ENABLED"="true";"DDNS_GATEWAY_LOGGING_LEVEL"=$logLevel}
:local envChanged false
:foreach k,v in=$envs do={
    :local id [/container envs find where comment=$envTag and key=$k]
    :if ([:len $id] = 0) do={
        :onerror e in={
            :local add [:parse "/container envs add list=\$l key=\$k value=\$v comment=\$c"]
            $add l=$madeBy k=$k v=$v c=$envTag
        } do={}
        :if ([:len [/container envs find where comment=$envTag and key=$k]] = 0) do={
            :local add [:parse "/container envs add name=\$l key=\$k value=\$v comment=\$c"]
            $add l=$madeBy k=$k v=$v c=$envTag
        }
        :set envChanged true
    } else={
        :if ([/container envs get $id value] != $v) do={
            /container envs set $id value=$v
            :set envChanged true
        }
    }
}

# 4. The container: the one with the comment "ddns-gateway", else a new one (its id is
# what "add" returns).
:set step "4 (the container)"
:local cid ""
:local have ([:len $ours] > 0)
:if ($have) do={ :set cid [:pick $ours 0] }
:if ($have and $reinstall) do={
    $say "reinstall: stopping and removing the old container"
    :foreach old in=$ours do={ :onerror e in={ /container stop $old } do={} }
    # RouterOS refuses to remove a container that is still stopping: retried until it takes.
    :local t0 [/system resource get uptime]
    :foreach old in=$ours do={
        :local removed false
        :while (!$removed) do={
            :onerror e in={ /container remove $old; :set removed true } do={
                :if ([$since $t0] > 2m) do={ :error ("the old container was not removed in 2 minutes: " . $e) }
                :delay 2s
            }
        }
    }
    # The removal goes on after "remove" returns; a new container on the same root-dir
    # must wait until the old one and its files are gone.
    :while ((([:len [/container find where comment=$madeBy]] + [:len [/file find where name=$rootDir]]) > 0) and ([$since $t0] < 3m)) do={ :delay 2s }
    :set have false
    $say "reinstall: the old container is removed"
}
# How the image is named to "add": the short name when registry-url points at its registry;
# otherwise registry-url is changed only when no other container could depend on it, and
# else left alone, the image named in full (host included).
:local pulledInFull false
:if (!$have) do={
    :if ($fromFile) do={
        :set cid [/container add file=$image interface=$vethName root-dir=$rootDir envlist=$madeBy dns=$containerDns start-on-boot=yes logging=yes comment=$madeBy]
    } else={
        # "ghcr.io/owner/name:tag": the registry is the part before the first "/" when it
        # looks like a host name; anything else is on Docker Hub.
        :local hub "https://registry-1.docker.io"
        :local registry $hub
        :local short $image
        :local slash [:find $image "/"]
        :if ([:typeof $slash] = "num") do={
            :local host [:pick $image 0 $slash]
            :if ([:typeof [:find $host "."]] = "num" or [:typeof [:find $host ":"]] = "num") do={
                :set short [:pick $image ($slash + 1) [:len $image]]
                :if ($host != "docker.io" and $host != "index.docker.io" and $host != "registry-1.docker.io") do={ :set registry ("https://" . $host) }
            }
        }
        :local config [/container config get]
        :local current [:tostr ($config->"registry-url")]
        :if (([:len $current] > 0) and ([:pick $current ([:len $current] - 1)] = "/")) do={ :set current [:pick $current 0 ([:len $current] - 1)] }
        :local ref $short
        :if (!(($current = $registry) or (($current = "") and ($registry = $hub)))) do={
            :if ([:len [/container find]] = 0) do={
                /container config set registry-url=$registry
                $say ("set /container config registry-url=" . $registry . " (it was \"" . $current . "\"; no other container here pulls from it)")
            } else={
                :set ref $image
                :set pulledInFull true
                $say ("registry-url stays \"" . $current . "\" for your other containers: pulling " . $image . " by its full name")
            }
        }
        :if (($pullDir != "") and ([:tostr ($config->"tmpdir")] = "")) do={
            /container config set tmpdir=$pullDir
            $say ("set /container config tmpdir=" . $pullDir . " (it was unset): images are downloaded there first")
        }
        :set cid [/container add remote-image=$ref interface=$vethName root-dir=$rootDir envlist=$madeBy dns=$containerDns start-on-boot=yes logging=yes comment=$madeBy]
    }
    :if ([:typeof $cid] != "id") do={ :set cid [:pick [/container find where comment=$madeBy] 0] }
    $say ("added the container from " . $image)
    :set envChanged false
}
:if ($envChanged) do={
    $say "settings changed: restarting the container"
    :onerror e in={ /container stop $cid } do={}
    # The old process answers until it has stopped (it finishes requests in flight, up to 10 s).
    :local t0 [/system resource get uptime]
    :while ((([$stateOf $cid] = "running") or [$answers $gateway]) and ([$since $t0] < 1m)) do={ :delay 2s }
}

# 5. Running: the download and unpacking are waited out (up to 10 minutes), then the
# container started once and /health waited for (up to 1 minute). What is observed the
# same way on every version decides: whether "start" is taken, whether /health answers.
:set step "5 (start the container)"
:local up [$answers $gateway]
:if (!$up) do={ $say "waiting for the image to be downloaded and unpacked, then for the gateway to answer (up to 10 minutes)" }
:local t0 [/system resource get uptime]
# When "start" was taken (or the container seen running), and whether its state reads.
:local startedAt ""
:local readable true
:local refused ""
:local checked false
:local n 0
:while (!$up) do={
    :local st [$stateOf $cid]
    :if ($st = "gone") do={ :error "the container is gone (removed meanwhile?): run the setup again" }
    :if ($st = "error") do={
        :local hint "most often no room for rootDir or pullDir, or an image for another CPU"
        :if ($pulledInFull) do={ :set hint ($hint . "; an auth error by the full name: upload the image file instead, or set /container config registry-url to its registry yourself") }
        :error ("RouterOS reports an error for the container: /log print where topics~\"container\" says why (" . $hint . ")")
    }
    # Unpacked and stopped: the health check, where this version has one but did not take
    # it from the image (the image config carries it), is set before the first start.
    :if (($st = "stopped") and !$checked) do={
        :set checked true
        :local hc [:tostr ([/container get $cid]->"healthcheck-cmd")]
        :if ($hc != "") do={
            $say ("health check: " . $hc . " (from the image; /container print shows its state)")
        } else={
            :local apply ""
            :onerror e in={
                :set apply [:parse "/container set \$i healthcheck-cmd=\"/ddns-gateway --healthcheck\" healthcheck-interval=1m healthcheck-timeout=5s healthcheck-retries=3"]
            } do={ $say "health check: none before RouterOS 7.22; the setup checks /health itself" }
            :if ([:typeof $apply] = "code") do={
                :onerror e in={
                    $apply i=$cid
                    $say "health check set: /ddns-gateway --healthcheck every minute (/container print shows its state)"
                } do={ $say ("health check not set (" . $e . "); the setup checks /health itself") }
            }
        }
    }
    :local started ([:typeof $startedAt] = "time")
    :if ($started) do={
        :if (($st = "stopped") and ([$since $startedAt] > 15s)) do={
            :error "the container stopped right after it started: its own lines (/log print where topics~\"container\") say why"
        }
        :if ($readable and ([$since $startedAt] > 1m)) do={
            :error ("the container was started but " . $gateway . "/health does not answer: its own lines are in /log print where topics~\"container\"; containerAddress must be the veth's address")
        }
    } else={
        # Started when it reads as stopped; when no state reads, tried every 30 s: RouterOS
        # refuses a start it cannot do yet. A running one (start-on-boot) counts as started.
        :if ($st = "running") do={ :set startedAt [/system resource get uptime] }
        :if (($st = "stopped") or (($st = "unknown") and (($n % 10) = 0))) do={
            :onerror e in={
                /container start $cid
                :set startedAt [/system resource get uptime]
                :set readable ($st = "stopped")
            } do={ :set refused $e }
        }
    }
    # Until a start is taken (or, when no state reads, until /health answers): 10 minutes.
    :if (((!$started) or (!$readable)) and ([$since $t0] > 10m)) do={
        :local why ("it shows \"" . $st . "\"")
        :if ($refused != "") do={ :set why ($why . "; start was refused: " . $refused) }
        :error ("the container did not come up within 10 minutes (" . $why . "): run the setup again to wait longer; /log print where topics~\"container\" shows the download")
    }
    :set n ($n + 1)
    :delay 3s
    :set up [$answers $gateway]
}
$say ("the gateway answers at " . $gateway)

# 6. The update script, with these settings written into it, and its scheduler.
:set step "6 (the update script and its scheduler)"
:local list4 ""
:foreach r in=$records4 do={ :set list4 ($list4 . ";" . [$quote $r]) }
:local list6 ""
:foreach r in=$records6 do={ :set list6 ($list6 . ";" . [$quote $r]) }
:local listHosts ""
:foreach r,s in=$hosts6 do={ :set listHosts ($listHosts . ";" . [$quote $r] . "=" . [$quote $s]) }
:local asArray do={ :if ($1 = "") do={ :return "[:toarray \"\"]" }; :return ("{" . [:pick $1 1 [:len $1]] . "}") }
:local src ("# ddns: written by setup.rsc; run the setup again to change these settings.\n{\n# --- settings ---\n")
:set src ($src . ":local gateway " . [$quote $gateway] . "\n:local authToken " . [$quote $authToken] . "\n")
:set src ($src . ":local provider " . [$quote $provider] . "\n:local zone " . [$quote $zone] . "\n")
:set src ($src . ":local credId " . [$quote $credId] . "\n:local credSecret " . [$quote $credSecret] . "\n")
:set src ($src . ":local ttl " . [$quote $ttl] . "\n:local comment " . [$quote $comment] . "\n")
:set src ($src . ":local records4 " . [$asArray $list4] . "\n:local wan4 " . [$quote $wan4] . "\n")
:set src ($src . ":local records6 " . [$asArray $list6] . "\n:local hosts6 " . [$asArray $listHosts] . "\n")
:set src ($src . ":local lan6 " . [$quote $lan6] . "\n# --- end of settings ---\n")
:local body ""
:set body ($body . "\n")
:set body ($body . ":global ddnsLast\n")
:set body ($body . ":if ([:typeof \$ddnsLast] != \"array\") do={ :set ddnsLast [:toarray \"\"] }\n")
:set body ($body . "\n")
:set body ($body . "# One record: skipped when `memo` (what it was last set from) is unchanged since its last\n")
:set body ($body . "# success, else sent as a form POST (a body goes out as it is, whatever a RouterOS version\n")
:set body ($body . "# does to URLs). fetch waits 60 s: the gateway may make several provider calls of up to\n")
:set body ($body . "# 15 s each. Any status >= 400 is an error whose body fetch cannot read: the reason is in\n")
:set body ($body . "# the gateway's own log line.\n")
:set body ($body . ":local send do={\n")
:set body ($body . "    :global ddnsLast\n")
:set body ($body . "    :local name (\$record . \".\" . \$zone)\n")
:set body ($body . "    :if (\$record = \"@\") do={ :set name \$zone }\n")
:set body ($body . "    :if ((\$ddnsLast->(\$type . \" \" . \$name)) != \$memo) do={\n")
:set body ($body . "        :local data (\$base . \"&record=\" . [:convert from=raw to=url \$record] . \"&type=\" . \$type . \"&value=\" . [:convert from=raw to=url \$value])\n")
:set body ($body . "        :if (\$suffix != \"\") do={ :set data (\$data . \"&suffix=\" . [:convert from=raw to=url \$suffix]) }\n")
:set body ($body . "        :onerror err in={\n")
:set body ($body . "            :local result [/tool fetch url=(\$gateway . \"/update\") http-method=post http-data=\$data http-header-field=\$headers idle-timeout=60s output=user as-value]\n")
:set body ($body . "            :local body (\$result->\"data\")\n")
:set body ($body . "            :if ([:typeof [:find \$body \"\\\"status\\\":\\\"success\\\"\"]] = \"num\") do={\n")
:set body ($body . "                :local at ([:find \$body \"\\\"value\\\":\\\"\"] + 9)\n")
:set body ($body . "                :local at2 ([:find \$body \"\\\"action\\\":\\\"\"] + 10)\n")
:set body ($body . "                :log info (\"ddns: \" . \$name . \" -> \" . [:pick \$body \$at [:find \$body \"\\\"\" \$at]] . \" (\" . [:pick \$body \$at2 [:find \$body \"\\\"\" \$at2]] . \")\")\n")
:set body ($body . "                :set (\$ddnsLast->(\$type . \" \" . \$name)) \$memo\n")
:set body ($body . "            } else={\n")
:set body ($body . "                :log warning (\"ddns: \" . \$name . \" \" . \$type . \": unexpected answer: \" . \$body)\n")
:set body ($body . "            }\n")
:set body ($body . "        } do={\n")
:set body ($body . "            :log error (\"ddns: \" . \$name . \" \" . \$type . \" failed: \" . \$err . \" (the reason is in the ddns-gateway log: /log print where topics~\\\"container\\\")\")\n")
:set body ($body . "        }\n")
:set body ($body . "    }\n")
:set body ($body . "}\n")
:set body ($body . "\n")
:set body ($body . ":if (\$credSecret = \"\") do={\n")
:set body ($body . "    :log error \"ddns: credSecret is empty: set the provider credential in the script's settings\"\n")
:set body ($body . "} else={\n")
:set body ($body . "    # One header per array element: nothing for fetch to split at commas, and the key\n")
:set body ($body . "    # values bare (no provider key holds a space, comma, semicolon or quote).\n")
:set body ($body . "    :local cred (\"ApiKey secret=\" . \$credSecret)\n")
:set body ($body . "    :if (\$credId != \"\") do={ :set cred (\"ApiKey id=\" . \$credId . \" secret=\" . \$credSecret) }\n")
:set body ($body . "    :local headers ({(\"X-Upstream-Authorization: \" . \$cred)})\n")
:set body ($body . "    :if (\$authToken != \"\") do={ :set headers (\$headers, (\"Authorization: Bearer \" . \$authToken)) }\n")
:set body ($body . "    :local base (\"provider=\" . \$provider . \"&zone=\" . [:convert from=raw to=url \$zone])\n")
:set body ($body . "    :if (\$ttl != \"\") do={ :set base (\$base . \"&ttl=\" . \$ttl) }\n")
:set body ($body . "    :if (\$comment != \"\") do={ :set base (\$base . \"&comment=\" . [:convert from=raw to=url \$comment]) }\n")
:set body ($body . "\n")
:set body ($body . "    :if ([:len \$records4] > 0) do={\n")
:set body ($body . "        # The first address on wan4 outside the special-use ranges that are never public (RFC 6890).\n")
:set body ($body . "        :local addr4 \"\"\n")
:set body ($body . "        :foreach id in=[/ip address find where interface=\$wan4 and !disabled and !invalid] do={\n")
:set body ($body . "            :local a [/ip address get \$id address]\n")
:set body ($body . "            :local ip [:toip [:pick \$a 0 [:find \$a \"/\"]]]\n")
:set body ($body . "            :local special false\n")
:set body ($body . "            :foreach net in={0.0.0.0/8;10.0.0.0/8;100.64.0.0/10;127.0.0.0/8;169.254.0.0/16;172.16.0.0/12;192.0.0.0/24;192.168.0.0/16;198.18.0.0/15;240.0.0.0/4} do={\n")
:set body ($body . "                :if (\$ip in \$net) do={ :set special true }\n")
:set body ($body . "            }\n")
:set body ($body . "            :if (\$addr4 = \"\" and !\$special) do={ :set addr4 [:tostr \$ip] }\n")
:set body ($body . "        }\n")
:set body ($body . "        :if (\$addr4 = \"\") do={\n")
:set body ($body . "            :log warning (\"ddns: no public IPv4 address on \" . \$wan4 . \"; A records not updated\")\n")
:set body ($body . "        } else={\n")
:set body ($body . "            :foreach record in=\$records4 do={\n")
:set body ($body . "                \$send gateway=\$gateway headers=\$headers base=\$base zone=\$zone record=\$record type=\"A\" value=\$addr4 suffix=\"\" memo=\$addr4\n")
:set body ($body . "            }\n")
:set body ($body . "        }\n")
:set body ($body . "    }\n")
:set body ($body . "\n")
:set body ($body . "    :if ([:len \$records6] > 0 or [:len \$hosts6] > 0) do={\n")
:set body ($body . "        # A global address on lan6; RouterOS counts ULA (fc00::/7) as global, it is not public.\n")
:set body ($body . "        :local addr6 \"\"\n")
:set body ($body . "        :local prefix6 \"\"\n")
:set body ($body . "        :foreach id in=[/ipv6 address find where interface=\$lan6 and global and !disabled and !invalid and !deprecated] do={\n")
:set body ($body . "            :local a [/ipv6 address get \$id address]\n")
:set body ($body . "            :local ip [:toip6 [:pick \$a 0 [:find \$a \"/\"]]]\n")
:set body ($body . "            :if (\$addr6 = \"\" and !(\$ip in fc00::/7) and !(\$ip in fe80::/10)) do={\n")
:set body ($body . "                :set addr6 [:tostr \$ip]\n")
:set body ($body . "                :set prefix6 \$a\n")
:set body ($body . "            }\n")
:set body ($body . "        }\n")
:set body ($body . "        :if (\$addr6 = \"\") do={\n")
:set body ($body . "            :log warning (\"ddns: no global IPv6 address on \" . \$lan6 . \"; AAAA records not updated\")\n")
:set body ($body . "        } else={\n")
:set body ($body . "            :foreach record in=\$records6 do={\n")
:set body ($body . "                \$send gateway=\$gateway headers=\$headers base=\$base zone=\$zone record=\$record type=\"AAAA\" value=\$addr6 suffix=\"\" memo=\$addr6\n")
:set body ($body . "            }\n")
:set body ($body . "            # The gateway keeps the prefix's first bits and takes the rest from the suffix.\n")
:set body ($body . "            :foreach record,suffix in=\$hosts6 do={\n")
:set body ($body . "                \$send gateway=\$gateway headers=\$headers base=\$base zone=\$zone record=\$record type=\"AAAA\" value=\$prefix6 suffix=\$suffix memo=(\$prefix6 . \" \" . \$suffix)\n")
:set body ($body . "            }\n")
:set body ($body . "        }\n")
:set body ($body . "    }\n")
:set body ($body . "}\n")
:set body ($body . "}\n")
:set src ($src . $body)
:local sid [/system script find where name="ddns"]
:if ([:len $sid] = 0) do={
    /system script add name=ddns policy=read,write,test source=$src comment=$madeBy
    $say "added the update script ddns"
} else={
    :if ([/system script get $sid source] != $src) do={
        /system script set $sid source=$src policy=read,write,test
        $say "updated the update script ddns"
    }
}
# start-time=startup: after a reboot it runs at once, not when the clock (at 1970 until NTP)
# reaches a start time.
:local kid [/system scheduler find where name="ddns"]
:if ([:len $kid] = 0) do={
    /system scheduler add name=ddns start-time=startup interval=$interval on-event="/system script run ddns" policy=read,write,test comment=$madeBy
    $say ("the update runs every " . $interval)
} else={
    /system scheduler set $kid start-time=startup interval=$interval on-event="/system script run ddns" policy=read,write,test
}

# 7. The first update, now: its result lines ("ddns: home.example.com -> 203.0.113.7") are in /log.
:set step "7 (the first update)"
:global ddnsLast
:set ddnsLast [:toarray ""]
/system script run ddns
:local done 0
:foreach k,v in=$ddnsLast do={
    $say ("published " . $k . " from " . $v)
    :set done ($done + 1)
}
:local wanted ([:len $records4] + [:len $records6] + [:len $hosts6])
:if ($done = 0) do={
    :error "nothing was published yet: the lines starting \"ddns:\" in /log say why, the gateway's own lines (topics~\"container\") say what the provider answered"
}
:if ($done < $wanted) do={
    $say ("done: published " . $done . " of " . $wanted . " records; the lines starting \"ddns:\" in /log say why for the others (the update retries every " . $interval . ")")
} else={
    $say ("done: published " . $done . " record(s); the update runs every " . $interval)
}
} do={ :set failure $err }
:if ($failure != "") do={
    :if ($step = "1 (check the settings)") do={
        $problem $failure
    } else={
        $problem ("stopped at step " . $step . ": " . $failure . ". Run the setup again after fixing that: it keeps what is done and picks up from there")
    }
}
}
