# ddns-v4: publish this router's public IPv4 address through ddns-gateway.
# Needs RouterOS 7.15+ (":convert to=url" encodes spaces from 7.15; ":onerror" from 7.13).
#
# Add it as a script named ddns-v4 (policy read,write,test; add ftp on 7.13+ if fetch asks),
# then run it every minute:
#   /system scheduler add name=ddns-v4 interval=1m on-event="/system script run ddns-v4" policy=read,write,test
# Factory "home" device-mode (7.17+) needs: /system/device-mode/update fetch=yes scheduler=yes
{
# --- your choices -------------------------------------------------------------------
# The container's veth address: inside a router script 127.0.0.1 is RouterOS itself.
:local gateway "http://172.17.0.2:38080"
# The gateway's token (DDNS_GATEWAY_AUTH_TOKENS); empty if auth is disabled.
:local authToken "CHANGE-ME-to-a-long-random-string"
# cloudflare, aliyun or tencent
:local provider "cloudflare"
:local zone "example.com"
# "@" for the zone itself
:local record "home"
# Cloudflare: credId "" and credSecret = the API token.
# Aliyun: AccessKey ID and Secret. Tencent: SecretId and SecretKey.
:local credId ""
:local credSecret "CHANGE-ME-provider-secret"
# Optional: "" keeps the record's TTL / leaves the comment alone.
:local ttl ""
:local comment ""
# The interface that holds the public address (PPPoE client, DHCP WAN port, ...).
:local wanInterface "pppoe-out1"
# ------------------------------------------------------------------------------------

:global ddnsLastV4
:local addr ""
:foreach id in=[/ip address find interface=$wanInterface disabled=no invalid=no] do={
    :local a [/ip address get $id address]
    :local ip [:toip [:pick $a 0 [:find $a "/"]]]
    # Private and CGNAT (100.64.0.0/10) addresses are not reachable from the Internet.
    :local notPublic (($ip in 10.0.0.0/8) or ($ip in 172.16.0.0/12) or ($ip in 192.168.0.0/16) or ($ip in 100.64.0.0/10))
    :if ($addr = "" and !$notPublic) do={
        :set addr [:tostr $ip]
    }
}

:if ($addr = "") do={
    :log warning "ddns-v4: no public IPv4 address on $wanInterface; nothing to publish"
} else={
    :if ($addr != $ddnsLastV4) do={
        :local url ($gateway . "/update?provider=" . $provider . "&zone=" . [:convert from=raw to=url $zone] . "&record=" . [:convert from=raw to=url $record] . "&type=A&value=" . [:convert from=raw to=url $addr])
        :if ($ttl != "") do={ :set url ($url . "&ttl=" . $ttl) }
        :if ($comment != "") do={ :set url ($url . "&comment=" . [:convert from=raw to=url $comment]) }
        # Fetch splits header lists at commas: the credential is written without one.
        :local cred ("X-Upstream-Authorization: ApiKey secret=\"" . $credSecret . "\"")
        :if ($credId != "") do={ :set cred ("X-Upstream-Authorization: ApiKey id=\"" . $credId . "\" secret=\"" . $credSecret . "\"") }
        :local headers $cred
        :if ($authToken != "") do={ :set headers ("Authorization: Bearer " . $authToken . "," . $cred) }
        :onerror err in={
            :local result [/tool fetch url=$url http-header-field=$headers output=user as-value]
            :if ([:typeof [:find ($result->"data") "\"status\":\"success\""]] = "num") do={
                :set ddnsLastV4 $addr
                :log info "ddns-v4: $record.$zone -> $addr"
            } else={
                :log warning "ddns-v4: unexpected answer: $($result->"data")"
            }
        } do={
            # The reason (HTTP status and message) is in the gateway's own log line.
            :log error "ddns-v4: update of $record.$zone to $addr failed: $err (see the ddns-gateway log)"
        }
    }
}
}
