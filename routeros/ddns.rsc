# ddns: publish this router's addresses through ddns-gateway. RouterOS 7.15 or newer.
#
# setup.rsc installs this script with your settings and runs it every minute. To add it by
# hand instead: a script named "ddns" with policy read,write,test, and
#   /system scheduler add name=ddns start-time=startup interval=1m on-event="/system script run ddns" policy=read,write,test
# A record is sent only when its address changed since its last success (remembered per
# record until reboot), so a failed one is tried again on the next run.
{
# --- settings ---
# The container's veth address: inside a router script 127.0.0.1 is RouterOS itself.
:local gateway "http://172.17.0.2:38080"
# The gateway's token (DDNS_GATEWAY_AUTH_TOKENS); "" when auth is off.
:local authToken ""
# cloudflare, aliyun, tencent, huaweicloud, edgeone, esa or porkbun, and the zone as the
# provider knows it.
:local provider "cloudflare"
:local zone "example.com"
# Cloudflare: credId "" and credSecret the API token. Every other provider needs both:
# credId the key's id (Aliyun/ESA AccessKey ID, Tencent/EdgeOne SecretId, Huawei Cloud
# access key id, Porkbun API key), credSecret its secret.
:local credId ""
:local credSecret ""
# "" keeps each record's TTL and leaves its comment alone.
:local ttl ""
:local comment ""
# A records: this router's public IPv4 address on wan4. "@" is the zone itself.
:local records4 {"home"}
:local wan4 "pppoe-out1"
# AAAA records: this router's global IPv6 address on lan6 (with PPPoE and prefix
# delegation that is the LAN bridge) ...
:local records6 [:toarray ""]
# ... and LAN hosts, as record=MAC for hosts that make their address from their MAC
# (EUI-64: "00:11:22:33:44:55"), or record="interface identifier" ("::11:22ff:fe33:4455"):
# their addresses follow lan6's prefix.
:local hosts6 [:toarray ""]
:local lan6 "bridge"
# --- end of settings ---

:global ddnsLast
:if ([:typeof $ddnsLast] != "array") do={ :set ddnsLast [:toarray ""] }

# One record: skipped when `memo` (what it was last set from) is unchanged since its last
# success, else sent as a form POST (a body goes out as it is, whatever a RouterOS version
# does to URLs). fetch waits 60 s: the gateway may make several provider calls of up to
# 15 s each. Any status >= 400 is an error whose body fetch cannot read: the reason is in
# the gateway's own log line.
:local send do={
    :global ddnsLast
    :local name ($record . "." . $zone)
    :if ($record = "@") do={ :set name $zone }
    :if (($ddnsLast->($type . " " . $name)) != $memo) do={
        :local data ($base . "&record=" . [:convert from=raw to=url $record] . "&type=" . $type . "&value=" . [:convert from=raw to=url $value])
        :if ($suffix != "") do={ :set data ($data . "&suffix=" . [:convert from=raw to=url $suffix]) }
        :onerror err in={
            :local result [/tool fetch url=($gateway . "/update") http-method=post http-data=$data http-header-field=$headers idle-timeout=60s output=user as-value]
            :local body ($result->"data")
            :if ([:typeof [:find $body "\"status\":\"success\""]] = "num") do={
                :local at ([:find $body "\"value\":\""] + 9)
                :local at2 ([:find $body "\"action\":\""] + 10)
                :log info ("ddns: " . $name . " -> " . [:pick $body $at [:find $body "\"" $at]] . " (" . [:pick $body $at2 [:find $body "\"" $at2]] . ")")
                :set ($ddnsLast->($type . " " . $name)) $memo
            } else={
                :log warning ("ddns: " . $name . " " . $type . ": unexpected answer: " . $body)
            }
        } do={
            :log error ("ddns: " . $name . " " . $type . " failed: " . $err . " (the reason is in the ddns-gateway log: /log print where topics~\"container\")")
        }
    }
}

:if ($credSecret = "") do={
    :log error "ddns: credSecret is empty: set the provider credential in the script's settings"
} else={
    # One header per array element: nothing for fetch to split at commas, and the key
    # values bare (no provider key holds a space, comma, semicolon or quote).
    :local cred ("ApiKey secret=" . $credSecret)
    :if ($credId != "") do={ :set cred ("ApiKey id=" . $credId . " secret=" . $credSecret) }
    :local headers ({("X-Upstream-Authorization: " . $cred)})
    :if ($authToken != "") do={ :set headers ($headers, ("Authorization: Bearer " . $authToken)) }
    :local base ("provider=" . $provider . "&zone=" . [:convert from=raw to=url $zone])
    :if ($ttl != "") do={ :set base ($base . "&ttl=" . $ttl) }
    :if ($comment != "") do={ :set base ($base . "&comment=" . [:convert from=raw to=url $comment]) }

    :if ([:len $records4] > 0) do={
        # The first address on wan4 outside the special-use ranges that are never public (RFC 6890).
        :local addr4 ""
        :foreach id in=[/ip address find where interface=$wan4 and !disabled and !invalid] do={
            :local a [/ip address get $id address]
            :local ip [:toip [:pick $a 0 [:find $a "/"]]]
            :local special false
            :foreach net in={0.0.0.0/8;10.0.0.0/8;100.64.0.0/10;127.0.0.0/8;169.254.0.0/16;172.16.0.0/12;192.0.0.0/24;192.168.0.0/16;198.18.0.0/15;240.0.0.0/4} do={
                :if ($ip in $net) do={ :set special true }
            }
            :if ($addr4 = "" and !$special) do={ :set addr4 [:tostr $ip] }
        }
        :if ($addr4 = "") do={
            :log warning ("ddns: no public IPv4 address on " . $wan4 . "; A records not updated")
        } else={
            :foreach record in=$records4 do={
                $send gateway=$gateway headers=$headers base=$base zone=$zone record=$record type="A" value=$addr4 suffix="" memo=$addr4
            }
        }
    }

    :if ([:len $records6] > 0 or [:len $hosts6] > 0) do={
        # A global address on lan6; RouterOS counts ULA (fc00::/7) as global, it is not public.
        :local addr6 ""
        :local prefix6 ""
        :foreach id in=[/ipv6 address find where interface=$lan6 and global and !disabled and !invalid and !deprecated] do={
            :local a [/ipv6 address get $id address]
            :local ip [:toip6 [:pick $a 0 [:find $a "/"]]]
            :if ($addr6 = "" and !($ip in fc00::/7) and !($ip in fe80::/10)) do={
                :set addr6 [:tostr $ip]
                :set prefix6 $a
            }
        }
        :if ($addr6 = "") do={
            :log warning ("ddns: no global IPv6 address on " . $lan6 . "; AAAA records not updated")
        } else={
            :foreach record in=$records6 do={
                $send gateway=$gateway headers=$headers base=$base zone=$zone record=$record type="AAAA" value=$addr6 suffix="" memo=$addr6
            }
            # The gateway keeps the prefix's first bits and takes the rest from the suffix.
            :foreach record,suffix in=$hosts6 do={
                $send gateway=$gateway headers=$headers base=$base zone=$zone record=$record type="AAAA" value=$prefix6 suffix=$suffix memo=($prefix6 . " " . $suffix)
            }
        }
    }
}
}
