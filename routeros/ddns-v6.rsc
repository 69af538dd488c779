# ddns-v6: publish a global IPv6 address of this router through ddns-gateway (AAAA).
# Needs RouterOS 7.15+ (":convert to=url" encodes spaces from 7.15; ":onerror" from 7.13).
#
# Add it as a script named ddns-v6 (policy read,write,test; add ftp on 7.13+ if fetch asks),
# then run it every minute:
#   /system scheduler add name=ddns-v6 interval=1m on-event="/system script run ddns-v6" policy=read,write,test
{
# --- your choices -------------------------------------------------------------------
:local gateway "http://172.17.0.2:38080"
:local authToken "CHANGE-ME-to-a-long-random-string"
:local provider "cloudflare"
:local zone "example.com"
:local record "home"
:local credId ""
:local credSecret "CHANGE-ME-provider-secret"
:local ttl ""
:local comment ""
# With PPPoE and DHCPv6 prefix delegation the global address sits on the LAN side
# (the bridge that takes addresses "from-pool"), not on the PPPoE interface.
:local interface "bridge"
# ------------------------------------------------------------------------------------

:global ddnsLastV6
:local addr ""
:foreach id in=[/ipv6 address find interface=$interface global disabled=no invalid=no deprecated=no] do={
    :local a [/ipv6 address get $id address]
    :local ip [:toip6 [:pick $a 0 [:find $a "/"]]]
    # RouterOS counts ULA (fc00::/7) as global; it is not reachable from the Internet.
    :local notPublic (($ip in fc00::/7) or ($ip in fe80::/10))
    :if ($addr = "" and !$notPublic) do={
        :set addr [:tostr $ip]
    }
}

:if ($addr = "") do={
    :log warning "ddns-v6: no global IPv6 address on $interface; nothing to publish"
} else={
    :if ($addr != $ddnsLastV6) do={
        :local url ($gateway . "/update?provider=" . $provider . "&zone=" . [:convert from=raw to=url $zone] . "&record=" . [:convert from=raw to=url $record] . "&type=AAAA&value=" . [:convert from=raw to=url $addr])
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
                :set ddnsLastV6 $addr
                :log info "ddns-v6: $record.$zone -> $addr"
            } else={
                :log warning "ddns-v6: unexpected answer: $($result->"data")"
            }
        } do={
            :log error "ddns-v6: update of $record.$zone to $addr failed: $err (see the ddns-gateway log)"
        }
    }
}
}
