# Generated from routeros/setup.rsc.in and routeros/ddns.rsc by `make routeros` (developers: edit those).
# ddns-gateway setup for RouterOS 7.15 ... 7.24: one import sets up the gateway container,
# its network and firewall allowance, and the "ddns" update script with its scheduler.
# Running it again changes only what you changed here: nothing is ever added twice.
#
# Before: containers, fetch and the scheduler allowed, in one device-mode update (RouterOS
# then asks for one press of the reset button, or a power cycle):
#   /system/device-mode/update container=yes fetch=yes scheduler=yes
# and the "container" package installed (if this import stops at "bad command name
# container", it is not). Then edit the settings below, upload this file, and run:
#   /import file-name=setup.rsc
# Every line it prints is also in /log, prefixed "ddns-gateway setup:".
{
# --- settings ---
# The image: a registry reference that the router pulls, or a docker-archive file you
# uploaded (ddns-gateway-arm64.tar ...). Boards on the EN7562CT chip (hEX refresh, hEX S
# 2025) need the ARMv5 build: the "-armv5" tag (latest-armv5) or ddns-gateway-armv5.tar.
:local image "ghcr.io/OWNER/ddns-gateway:latest"
# Where the image is unpacked and, when pulling, downloaded first: on boards with little
# flash a USB disk ("usb1/...") or a tmpfs (/disk add type=tmpfs tmpfs-max-size=20M).
:local rootDir "usb1/ddns-gateway"
:local pullDir "usb1/pull"
# cloudflare, aliyun or tencent, and the zone as the provider knows it.
:local provider "cloudflare"
:local zone "example.com"
# Cloudflare: credId "" and credSecret an API token (Zone.DNS edit, Zone.Zone read).
# Aliyun: AccessKey ID and secret. Tencent: SecretId and SecretKey.
:local credId ""
:local credSecret ""
# A records: this router's public IPv4 address on wan4. "@" is the zone itself.
:local records4 {"home"}
:local wan4 "pppoe-out1"
# AAAA records: this router's global IPv6 address on lan6 ...
:local records6 [:toarray ""]
# ... and LAN hosts, as record="interface identifier", e.g. {"nas"="::11:22ff:fe33:4455"}:
# their records follow the prefix your ISP delegates.
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
:local vethName "veth-ddns"
:local containerAddress "172.17.0.2/24"
:local routerAddress "172.17.0.1"
:local bridgeName "containers"
:local containerDns "172.17.0.1"
# true: replace an existing ddns-gateway container with the image above (an upgrade).
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
:local tag "ddns-gateway"
# The container's status ("extracting", "stopped", "running" ...), or "unknown".
:local state do={ :local s "unknown"; :onerror e in={ :set s [:tostr [/container get $1 status]] } do={}; :return $s }
:local containerIp [:pick $containerAddress 0 [:find $containerAddress "/"]]
:local prefixLen [:pick $containerAddress ([:find $containerAddress "/"] + 1) [:len $containerAddress]]
:local gateway ("http://" . $containerIp . ":38080")

# 1. Everything is checked before anything is changed.
:local bad 0
:if ($provider != "cloudflare" and $provider != "aliyun" and $provider != "tencent") do={
    $problem ("provider: \"" . $provider . "\" is not cloudflare, aliyun or tencent"); :set bad ($bad + 1)
}
:if (($zone = "") or ($zone = "example.com")) do={ $problem "zone: set your own zone"; :set bad ($bad + 1) }
:if (($credSecret = "") or ([:typeof [:find $credSecret "CHANGE-ME"]] = "num")) do={
    $problem "credSecret: set the provider credential"; :set bad ($bad + 1)
}
:if (($provider != "cloudflare") and ($credId = "")) do={ $problem ("credId: " . $provider . " needs the key id too"); :set bad ($bad + 1) }
:if (([:len $records4] + [:len $records6] + [:len $hosts6]) = 0) do={ $problem "records4, records6, hosts6: name at least one record"; :set bad ($bad + 1) }
:if (([:len $records4] > 0) and ([:len [/interface find where name=$wan4]] = 0)) do={
    $problem ("wan4: there is no interface \"" . $wan4 . "\""); :set bad ($bad + 1)
}
:if ((([:len $records6] + [:len $hosts6]) > 0) and ([:len [/interface find where name=$lan6]] = 0)) do={
    $problem ("lan6: there is no interface \"" . $lan6 . "\""); :set bad ($bad + 1)
}
:if ([:typeof [:find $image "OWNER"]] = "num") do={ $problem "image: replace OWNER with the publisher's name, or give an uploaded file"; :set bad ($bad + 1) }
:local fromFile ([:typeof [:find $image ".tar"]] = "num")
:if ($fromFile and ([:len [/file find where name=$image]] = 0)) do={
    $problem ("image: no file \"" . $image . "\" on the router: upload it first (/file print shows the names)"); :set bad ($bad + 1)
}
:if (($authToken != "") and (([:len $authToken] < 16) or ([:typeof [:find $authToken "CHANGE-ME"]] = "num"))) do={
    $problem "authToken: use 16 or more random characters, or \"\" to have one made"; :set bad ($bad + 1)
}
:if (([:typeof [:find $authToken ","]] = "num") or ([:typeof [:find $authToken " "]] = "num")) do={
    $problem "authToken: no commas or spaces (fetch splits its headers at commas)"; :set bad ($bad + 1)
}
# RouterOS will not start a container while /ip dns has no servers.
:if (([:len [/ip dns get servers]] + [:len [/ip dns get dynamic-servers]]) = 0) do={
    $problem "/ip dns has no servers: RouterOS starts no container without them (/ip dns set servers=... or take them from DHCP/PPPoE)"; :set bad ($bad + 1)
}
:if (($containerDns = $routerAddress) and (![/ip dns get allow-remote-requests])) do={
    $problem "the container asks the router for DNS: /ip dns set allow-remote-requests=yes (the default firewall keeps WAN out), or set containerDns to another server"; :set bad ($bad + 1)
}
:local mode ""
:onerror e in={ :set mode [:tostr [/system device-mode get container]] } do={}
:if (($mode = "false") or ($mode = "no")) do={
    $problem "containers are off: /system/device-mode/update container=yes fetch=yes scheduler=yes, then press the reset button"; :set bad ($bad + 1)
}
:if ($bad > 0) do={ :error ("ddns-gateway setup: " . $bad . " setting(s) to fix, see above; nothing was changed") }

# 2. The container's network: a veth on its own bridge, the router at routerAddress.
:if ([:len [/interface veth find where name=$vethName]] = 0) do={
    /interface veth add name=$vethName address=$containerAddress gateway=$routerAddress comment=$tag
    $say ("added veth " . $vethName . " " . $containerAddress)
}
:if ([:len [/interface bridge find where name=$bridgeName]] = 0) do={
    /interface bridge add name=$bridgeName comment=$tag
    $say ("added bridge " . $bridgeName)
}
:if ([:len [/ip address find where interface=$bridgeName and address=($routerAddress . "/" . $prefixLen)]] = 0) do={
    /ip address add address=($routerAddress . "/" . $prefixLen) interface=$bridgeName comment=$tag
}
:if ([:len [/interface bridge port find where bridge=$bridgeName and interface=$vethName]] = 0) do={
    /interface bridge port add bridge=$bridgeName interface=$vethName comment=$tag
}
# The container reaches the provider's API through the router's WAN.
:if ([:len [/ip firewall nat find where comment=$tag]] = 0) do={
    /ip firewall nat add chain=srcnat action=masquerade src-address=$containerIp comment=$tag
    $say "added masquerade for the container"
}
# The factory firewall drops input from every interface outside the LAN list, and with it
# the container's DNS queries. Accept just those, from the container's address, ahead of
# the input rules; adding the bridge to LAN would also open WinBox, SSH and the API to it.
:if ($containerDns = $routerAddress) do={
    :foreach proto in={"udp";"tcp"} do={
        :local rule ($tag . ": container DNS " . $proto)
        :if ([:len [/ip firewall filter find where comment=$rule]] = 0) do={
            :local first [/ip firewall filter find where chain="input" and !dynamic]
            :if ([:len $first] > 0) do={
                /ip firewall filter add chain=input action=accept protocol=$proto dst-port=53 in-interface=$bridgeName src-address=$containerIp comment=$rule place-before=[:pick $first 0]
            } else={
                /ip firewall filter add chain=input action=accept protocol=$proto dst-port=53 in-interface=$bridgeName src-address=$containerIp comment=$rule
            }
            $say ("added input accept for the container's DNS (" . $proto . ")")
        }
    }
}

# 3. The gateway's settings, as an environment list. Its entries are found by their
# comment and key, which every version has; the list's own parameter is "name" up to
# 7.19 and "list" from 7.20 and has no common spelling, so adding one is tried both ways.
:local envTag ($tag . " env")
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
            $add l=$tag k=$k v=$v c=$envTag
        } do={}
        :if ([:len [/container envs find where comment=$envTag and key=$k]] = 0) do={
            :local add [:parse "/container envs add name=\$l key=\$k value=\$v comment=\$c"]
            $add l=$tag k=$k v=$v c=$envTag
        }
        :set envChanged true
    } else={
        :if ([/container envs get $id value] != $v) do={
            /container envs set $id value=$v
            :set envChanged true
        }
    }
}

# 4. The container.
:local cid [/container find where comment=$tag]
:if (([:len $cid] > 0) and $reinstall) do={
    :onerror e in={ /container stop $cid } do={}
    :local waited 0
    :while (([$state $cid] = "running" or [$state $cid] = "stopping") and $waited < 30) do={ :delay 1s; :set waited ($waited + 1) }
    /container remove $cid
    :set cid [:toarray ""]
    $say "removed the old container (reinstall)"
}
:if ([:len $cid] = 0) do={
    :if ($fromFile) do={
        /container add file=$image interface=$vethName root-dir=$rootDir envlist=$tag dns=$containerDns start-on-boot=yes logging=yes comment=$tag
    } else={
        # "ghcr.io/owner/name:tag": the registry is the part before the first "/" when it
        # looks like a host name; anything else is on Docker Hub.
        :local registry "https://registry-1.docker.io"
        :local ref $image
        :local slash [:find $image "/"]
        :if ([:typeof $slash] = "num") do={
            :local host [:pick $image 0 $slash]
            :if ([:typeof [:find $host "."]] = "num" or [:typeof [:find $host ":"]] = "num") do={
                :set registry ("https://" . $host)
                :set ref [:pick $image ($slash + 1) [:len $image]]
            }
        }
        /container config set registry-url=$registry tmpdir=$pullDir
        /container add remote-image=$ref interface=$vethName root-dir=$rootDir envlist=$tag dns=$containerDns start-on-boot=yes logging=yes comment=$tag
    }
    :set cid [/container find where comment=$tag]
    $say ("added the container from " . $image)
    # RouterOS 7.22+ runs a health check and shows it in /container print; the image has
    # no shell, so the binary is its own probe. Older versions lack the setting.
    :onerror e in={
        :local health [:parse "/container set \$i healthcheck-cmd=\"/ddns-gateway --healthcheck\" healthcheck-interval=1m healthcheck-timeout=5s"]
        $health i=$cid
        $say "container health check set"
    } do={ $say "this RouterOS has no container health checks (7.22+): skipped" }
    :set envChanged false
} else={
    :if ($envChanged) do={
        :onerror e in={ /container stop $cid } do={}
        :local waited 0
        :while (([$state $cid] = "running" or [$state $cid] = "stopping") and $waited < 30) do={ :delay 1s; :set waited ($waited + 1) }
        $say "settings changed: restarting the container"
    }
}
# Downloading and unpacking take a while; it can only start after.
:local waited 0
:while (([$state $cid] = "extracting" or [$state $cid] = "downloading") and $waited < 600) do={
    :delay 2s
    :set waited ($waited + 2)
}
:if ([$state $cid] != "running") do={
    :onerror e in={ /container start $cid } do={ $problem ("the container did not start: " . $e . " (/log print where topics~\"container\")") }
}
:local healthy false
:set waited 0
:while (!$healthy and $waited < 60) do={
    :onerror e in={
        :local r [/tool fetch url=($gateway . "/health") output=user as-value]
        :if (($r->"data") = "{\"status\":\"ok\"}") do={ :set healthy true }
    } do={ :delay 2s; :set waited ($waited + 2) }
}
:if (!$healthy) do={
    :error ("ddns-gateway setup: the gateway does not answer at " . $gateway . "/health; its own lines are in /log print where topics~\"container\"")
}
$say ("the gateway answers at " . $gateway)

# 5. The update script, with these settings written into it, and its scheduler.
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
:set body ($body . "    :local headers (\"X-Upstream-Authorization: ApiKey secret=\\\"\" . \$credSecret . \"\\\"\")\n")
:set body ($body . "    # fetch splits its header list at commas: the credential is written without one.\n")
:set body ($body . "    :if (\$credId != \"\") do={ :set headers (\"X-Upstream-Authorization: ApiKey id=\\\"\" . \$credId . \"\\\" secret=\\\"\" . \$credSecret . \"\\\"\") }\n")
:set body ($body . "    :if (\$authToken != \"\") do={ :set headers (\"Authorization: Bearer \" . \$authToken . \",\" . \$headers) }\n")
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
    /system script add name=ddns policy=read,write,test source=$src comment=$tag
    $say "added the update script ddns"
} else={
    :if ([/system script get $sid source] != $src) do={
        /system script set $sid source=$src policy=read,write,test
        $say "updated the update script ddns"
    }
}
:local kid [/system scheduler find where name="ddns"]
:if ([:len $kid] = 0) do={
    /system scheduler add name=ddns interval=$interval on-event="/system script run ddns" policy=read,write,test comment=$tag
    $say ("the update runs every " . $interval)
} else={
    /system scheduler set $kid interval=$interval on-event="/system script run ddns" policy=read,write,test
}

# 6. The first update, now: its result lines ("ddns: home.example.com -> 203.0.113.7") are in /log.
:global ddnsLast
:set ddnsLast [:toarray ""]
/system script run ddns
:local done 0
:foreach k,v in=$ddnsLast do={ :set done ($done + 1) }
:if ($done > 0) do={
    :foreach k,v in=$ddnsLast do={ $say ("published " . $k . " from " . $v) }
    $say "done"
} else={
    $problem "nothing was published yet: the lines starting \"ddns:\" in /log say why, the gateway's own lines (topics~\"container\") say what the provider answered"
}
}
