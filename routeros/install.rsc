# ddns-gateway: install the container on a RouterOS 7.15+ router.
#
# Before: the container package is installed, and containers are allowed
#   (/system/device-mode/update container=yes, then press the reset button or power-cycle
#   as RouterOS asks). Upload the image that matches your board (ddns-gateway-arm64.tar,
#   -arm.tar for ARMv7, -armv5.tar for EN7562CT boards such as hEX refresh, -amd64.tar for
#   CHR/x86) to the router, e.g. to a USB disk.
# Then edit the variables below and run: /import file-name=install.rsc
{
# --- your choices -------------------------------------------------------------------
:local imageFile "usb1/ddns-gateway-arm64.tar"
# Where the image is unpacked: a USB disk or tmpfs on small-flash boards.
:local rootDir "usb1/ddns-gateway"
:local vethName "veth-ddns"
:local containerAddress "172.17.0.2/24"
:local routerAddress "172.17.0.1"
:local bridgeName "containers"
:local subnet "172.17.0.0/24"
:local envList "ddns"
# Long and random; the scheduler scripts send it as "Authorization: Bearer ...".
:local authToken "CHANGE-ME-to-a-long-random-string"
# DEBUG, INFO, WARNING, ERROR or CRITICAL. Lines reach the router log (logging=yes).
:local logLevel "INFO"
# DNS server for the container (it resolves the provider's API host). The router itself
# answers when "/ip dns set allow-remote-requests=yes" (keep the default WAN firewall).
:local containerDns "172.17.0.1"
# ------------------------------------------------------------------------------------

:local version [/system resource get version]
:local dot [:find $version "."]
:local minor [:tonum [:pick $version ($dot + 1) [:find $version "." ($dot + 1)]]]
:if ([:typeof $minor] != "num") do={ :set minor [:tonum [:pick $version ($dot + 1) ($dot + 3)]] }

/interface veth add name=$vethName address=$containerAddress gateway=$routerAddress
/interface bridge add name=$bridgeName
/ip address add address=("$routerAddress/" . [:pick $containerAddress ([:find $containerAddress "/"] + 1) [:len $containerAddress]]) interface=$bridgeName
/interface bridge port add bridge=$bridgeName interface=$vethName
/ip firewall nat add chain=srcnat action=masquerade src-address=$subnet comment="ddns-gateway"

# Environment lists: "list=" from RouterOS 7.20, "name=" before.
:local envs {"DDNS_GATEWAY_AUTH_ENABLED"="true"; "DDNS_GATEWAY_AUTH_TOKENS"=$authToken; \
    "DDNS_GATEWAY_LOGGING_LEVEL"=$logLevel; "DDNS_GATEWAY_HEALTH_ENABLED"="true"}
:foreach k,v in=$envs do={
    :if ($minor >= 20) do={
        /container envs add list=$envList key=$k value=$v
    } else={
        /container envs add name=$envList key=$k value=$v
    }
}

:if ($minor >= 20) do={
    /container add file=$imageFile interface=$vethName root-dir=$rootDir envlists=$envList \
        dns=$containerDns start-on-boot=yes logging=yes comment="ddns-gateway"
} else={
    /container add file=$imageFile interface=$vethName root-dir=$rootDir envlist=$envList \
        dns=$containerDns start-on-boot=yes logging=yes comment="ddns-gateway"
}

# Unpacking takes a while; start the container once it is ready.
:local id [/container find comment="ddns-gateway"]
:local waited 0
:while ([/container get $id status] = "extracting" and $waited < 300) do={ :delay 2s; :set waited ($waited + 2) }
/container start $id
:log info "ddns-gateway: container installed and started at $containerAddress, port 38080"
}
