"""Fidelity tests of zstack-aliyun-sim against Alibaba Cloud's official Python SDKs.

Run by scripts/aliyun-sdk-test with SIM_URL=http://127.0.0.1:PORT pointing at a running
simulator (keys testid:testsecret). Every call goes through an unmodified SDK: the Tea
SDKs (ACS3 signature and, with signature_algorithm="v2", the RPC V1 signature), the
legacy aliyun-python-sdk-core (V1) and oss2 (OSS V1 and V4). The calls must succeed and
their answers parse into the SDK models; wrong secrets and unknown keys must come back
as the error codes the SDKs report against the real service.
"""

import hashlib
import base64
import json
import os
import sys
import unittest
import urllib.request
import uuid

from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_ecs20140526 import models as ecs_models
from alibabacloud_ecs20140526.client import Client as EcsClient
from alibabacloud_vpc20160428 import models as vpc_models
from alibabacloud_vpc20160428.client import Client as VpcClient
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest
from aliyunsdkecs.request.v20140526.DescribeInstancesRequest import DescribeInstancesRequest
from aliyunsdkecs.request.v20140526.DescribeRegionsRequest import DescribeRegionsRequest
from aliyunsdkecs.request.v20140526.StartInstanceRequest import StartInstanceRequest
from aliyunsdkecs.request.v20140526.StopInstanceRequest import StopInstanceRequest
import oss2

SIM_URL = os.environ["SIM_URL"].rstrip("/")
HOST_PORT = SIM_URL.split("://", 1)[1]
HOST, PORT = HOST_PORT.rsplit(":", 1)
AK, SK = "testid", "testsecret"
REGION = "cn-hangzhou"
ZONE = "cn-hangzhou-h"
IMAGE = "ubuntu_22_04_x64_20G_alibase_20230907.vhd"


def control(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(SIM_URL + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read() or b"{}")


def advance(ms):
    control("POST", "/__sim/clock", {"advance_ms": ms})


def tea_config(secret=SK, key=AK, v2=False):
    cfg = open_api_models.Config(access_key_id=key, access_key_secret=secret, region_id=REGION,
                                 endpoint=HOST_PORT, protocol="http")
    if v2:
        cfg.signature_algorithm = "v2"
    return cfg


def ecs(v2=False, **kw):
    return EcsClient(tea_config(v2=v2, **kw))


def vpc(v2=False, **kw):
    return VpcClient(tea_config(v2=v2, **kw))


def core(secret=SK, key=AK):
    return AcsClient(key, secret, REGION, port=int(PORT), auto_retry=False)


def core_call(client, request):
    request.set_endpoint(HOST)
    request.set_protocol_type("http")
    request.set_accept_format("json")
    return json.loads(client.do_action_with_exception(request))


def core_common(client, version, action, **params):
    request = CommonRequest()
    request.set_domain(HOST)
    request.set_version(version)
    request.set_action_name(action)
    request.set_method("POST")
    request.set_protocol_type("http")
    request.set_accept_format("json")
    for k, v in params.items():
        request.add_query_param(k, v)
    return json.loads(client.do_action_with_exception(request))


def error_of(call):
    """Runs `call`, expecting an SDK exception; returns (code, http status)."""
    try:
        call()
    except ServerException as e:
        return e.get_error_code(), e.get_http_status()
    except oss2.exceptions.OssError as e:
        return e.code, e.status
    except Exception as e:  # Tea ClientException / ServerException
        code = getattr(e, "code", None)
        if code is None:
            raise
        return code, getattr(e, "status_code", None) or getattr(e, "statusCode", None)
    raise AssertionError("expected an error")


class Network:
    """A VPC with one vSwitch and one security group, created through the Tea VPC/ECS SDKs."""

    def __init__(self, cidr="172.16.0.0/12", vsw_cidr="172.16.1.0/24"):
        self.vpc_client, self.ecs_client = vpc(), ecs()
        self.vpc_id = self.vpc_client.create_vpc(vpc_models.CreateVpcRequest(
            region_id=REGION, cidr_block=cidr, vpc_name="sdk-vpc")).body.vpc_id
        self.vsw_id = self.vpc_client.create_vswitch(vpc_models.CreateVSwitchRequest(
            region_id=REGION, vpc_id=self.vpc_id, zone_id=ZONE, cidr_block=vsw_cidr)).body.v_switch_id
        self.sg_id = self.ecs_client.create_security_group(ecs_models.CreateSecurityGroupRequest(
            region_id=REGION, vpc_id=self.vpc_id, security_group_name="sdk-sg")).body.security_group_id

    def run(self, amount=1, **kw):
        body = self.ecs_client.run_instances(ecs_models.RunInstancesRequest(
            region_id=REGION, image_id=IMAGE, instance_type="ecs.g6.large", security_group_id=self.sg_id,
            v_switch_id=self.vsw_id, amount=amount,
            system_disk=ecs_models.RunInstancesRequestSystemDisk(category="cloud_essd", size=40), **kw)).body
        return body.instance_id_sets.instance_id_set

    def delete(self):
        for inst in self.ecs_client.describe_instances(ecs_models.DescribeInstancesRequest(
                region_id=REGION, vpc_id=self.vpc_id, page_size=100)).body.instances.instance:
            self.ecs_client.delete_instance(ecs_models.DeleteInstanceRequest(instance_id=inst.instance_id, force=True))
        self.ecs_client.delete_security_group(ecs_models.DeleteSecurityGroupRequest(
            region_id=REGION, security_group_id=self.sg_id))
        self.vpc_client.delete_vswitch(vpc_models.DeleteVSwitchRequest(region_id=REGION, v_switch_id=self.vsw_id))
        self.vpc_client.delete_vpc(vpc_models.DeleteVpcRequest(region_id=REGION, vpc_id=self.vpc_id))


class SdkFidelity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        control("POST", "/__sim/config", {"transition_ms": 1000})
        control("DELETE", "/__sim/faults")
        # Only advance() moves simulated time: status checks do not depend on test speed.
        control("POST", "/__sim/clock", {"freeze": True})

    def test_regions_and_zones_through_every_rpc_client(self):
        for client in (ecs(), ecs(v2=True)):
            regions = client.describe_regions(ecs_models.DescribeRegionsRequest()).body.regions.region
            self.assertIn(REGION, [r.region_id for r in regions])
            zones = client.describe_zones(ecs_models.DescribeZonesRequest(region_id=REGION)).body.zones.zone
            self.assertIn(ZONE, [z.zone_id for z in zones])
            self.assertIn("ecs.g6.large", zones[0].available_instance_types.instance_types)
        body = core_call(core(), DescribeRegionsRequest())
        self.assertIn(REGION, [r["RegionId"] for r in body["Regions"]["Region"]])
        self.assertTrue(body["RequestId"])
        for client in (vpc(), vpc(v2=True)):
            regions = client.describe_regions(vpc_models.DescribeRegionsRequest()).body.regions.region
            self.assertIn(REGION, [r.region_id for r in regions])

    def test_instance_lifecycle_paging_and_status_transitions(self):
        net = Network()
        client = net.ecs_client
        ids = net.run(amount=5, instance_name="sdk-vm",
                      data_disk=[ecs_models.RunInstancesRequestDataDisk(category="cloud_essd", size=100)],
                      tag=[ecs_models.RunInstancesRequestTag(key="env", value="test")])
        self.assertEqual(len(ids), 5)
        first = client.describe_instances(ecs_models.DescribeInstancesRequest(
            region_id=REGION, instance_ids=json.dumps(ids[:1]))).body.instances.instance[0]
        self.assertEqual(first.status, "Pending")
        self.assertEqual(first.vpc_attributes.vpc_id, net.vpc_id)
        self.assertEqual(first.security_group_ids.security_group_id, [net.sg_id])
        self.assertEqual(first.tags.tag[0].tag_key, "env")
        self.assertTrue(first.vpc_attributes.private_ip_address.ip_address[0].startswith("172.16.1."))
        advance(1000)
        first = client.describe_instances(ecs_models.DescribeInstancesRequest(
            region_id=REGION, instance_ids=json.dumps(ids[:1]))).body.instances.instance[0]
        self.assertEqual(first.status, "Starting")
        advance(1000)
        # PageNumber/PageSize paging
        seen = []
        for page in (1, 2, 3):
            body = client.describe_instances(ecs_models.DescribeInstancesRequest(
                region_id=REGION, vpc_id=net.vpc_id, page_number=page, page_size=2)).body
            self.assertEqual(body.total_count, 5)
            seen += [i.instance_id for i in body.instances.instance]
            self.assertTrue(all(i.status == "Running" for i in body.instances.instance))
        self.assertEqual(seen, ids)
        # NextToken/MaxResults paging
        seen, token = [], None
        while True:
            body = client.describe_instances(ecs_models.DescribeInstancesRequest(
                region_id=REGION, vpc_id=net.vpc_id, max_results=2, next_token=token)).body
            seen += [i.instance_id for i in body.instances.instance]
            token = body.next_token
            if not token:
                break
        self.assertEqual(seen, ids)
        vm = ids[0]
        # Rules: cannot delete a Running instance without Force, cannot start a Running one.
        self.assertEqual(error_of(lambda: client.delete_instance(ecs_models.DeleteInstanceRequest(instance_id=vm))),
                         ("IncorrectInstanceStatus", 403))
        self.assertEqual(error_of(lambda: client.start_instance(ecs_models.StartInstanceRequest(instance_id=vm)))[0],
                         "IncorrectInstanceStatus")
        url = client.describe_instance_vnc_url(ecs_models.DescribeInstanceVncUrlRequest(
            region_id=REGION, instance_id=vm)).body.vnc_url
        self.assertIn(vm, url)
        client.modify_instance_attribute(ecs_models.ModifyInstanceAttributeRequest(instance_id=vm, password="Sim-Passw0rd!"))
        self.assertEqual(error_of(lambda: client.modify_instance_attribute(
            ecs_models.ModifyInstanceAttributeRequest(instance_id=vm, password="weak")))[0], "InvalidPassword.Malformed")
        client.stop_instance(ecs_models.StopInstanceRequest(instance_id=vm, force_stop=False))
        status = lambda: client.describe_instance_status(ecs_models.DescribeInstanceStatusRequest(
            region_id=REGION, instance_id=[vm])).body.instance_statuses.instance_status[0].status
        self.assertEqual(status(), "Stopping")
        advance(1000)
        self.assertEqual(status(), "Stopped")
        client.start_instance(ecs_models.StartInstanceRequest(instance_id=vm))
        advance(1000)
        self.assertEqual(status(), "Running")
        client.reboot_instance(ecs_models.RebootInstanceRequest(instance_id=vm))
        advance(3000)
        self.assertEqual(status(), "Running")
        # Disks came with the instances: a system and a data disk each.
        disks = client.describe_disks(ecs_models.DescribeDisksRequest(region_id=REGION, instance_id=vm)).body.disks.disk
        self.assertEqual(sorted(d.type for d in disks), ["data", "system"])
        self.assertTrue(all(d.status == "In_use" for d in disks))
        # Dependency: the vSwitch and security group are in use.
        self.assertEqual(error_of(lambda: net.vpc_client.delete_vpc(vpc_models.DeleteVpcRequest(
            region_id=REGION, vpc_id=net.vpc_id))), ("DependencyViolation.VSwitch", 400))
        self.assertEqual(error_of(lambda: client.delete_security_group(ecs_models.DeleteSecurityGroupRequest(
            region_id=REGION, security_group_id=net.sg_id)))[0], "DependencyViolation")
        net.delete()
        self.assertEqual(client.describe_disks(ecs_models.DescribeDisksRequest(
            region_id=REGION, instance_id=vm)).body.disks.disk, [])

    def test_vswitch_cidr_rules_and_idempotent_create(self):
        client = vpc()
        token = str(uuid.uuid4())
        req = vpc_models.CreateVpcRequest(region_id=REGION, cidr_block="192.168.0.0/16", client_token=token)
        first, again = client.create_vpc(req).body, client.create_vpc(req).body
        self.assertEqual(first.vpc_id, again.vpc_id)
        self.assertTrue(first.vrouter_id and first.route_table_id)
        vpcs = client.describe_vpcs(vpc_models.DescribeVpcsRequest(region_id=REGION, vpc_id=first.vpc_id)).body
        self.assertEqual(vpcs.total_count, 1)
        self.assertEqual(vpcs.vpcs.vpc[0].cidr_block, "192.168.0.0/16")
        mk = lambda cidr: client.create_vswitch(vpc_models.CreateVSwitchRequest(
            region_id=REGION, vpc_id=first.vpc_id, zone_id=ZONE, cidr_block=cidr))
        vsw = mk("192.168.1.0/24").body.v_switch_id
        self.assertEqual(error_of(lambda: mk("192.168.1.128/25"))[0], "InvalidCidrBlock.Overlapped")
        self.assertEqual(error_of(lambda: mk("10.0.0.0/24"))[0], "InvalidCidrBlock.Mismatch")
        self.assertEqual(error_of(lambda: mk("192.168.2.1/24"))[0], "InvalidCidrBlock.Malformed")
        self.assertEqual(error_of(lambda: client.create_vswitch(vpc_models.CreateVSwitchRequest(
            region_id=REGION, vpc_id="vpc-nope", zone_id=ZONE, cidr_block="192.168.3.0/24"))), ("InvalidVpcId.NotFound", 404))
        listed = client.describe_vswitches(vpc_models.DescribeVSwitchesRequest(
            region_id=REGION, vpc_id=first.vpc_id)).body.v_switches.v_switch
        self.assertEqual([v.v_switch_id for v in listed], [vsw])
        self.assertEqual(listed[0].available_ip_address_count, 250)
        client.delete_vswitch(vpc_models.DeleteVSwitchRequest(region_id=REGION, v_switch_id=vsw))
        client.delete_vpc(vpc_models.DeleteVpcRequest(region_id=REGION, vpc_id=first.vpc_id))

    def test_security_group_rules(self):
        net = Network(cidr="10.0.0.0/8", vsw_cidr="10.1.0.0/24")
        client = net.ecs_client
        perm = dict(ip_protocol="tcp", port_range="22/22", source_cidr_ip="0.0.0.0/0")
        client.authorize_security_group(ecs_models.AuthorizeSecurityGroupRequest(
            region_id=REGION, security_group_id=net.sg_id,
            permissions=[ecs_models.AuthorizeSecurityGroupRequestPermissions(**perm)]))
        self.assertEqual(error_of(lambda: client.authorize_security_group(ecs_models.AuthorizeSecurityGroupRequest(
            region_id=REGION, security_group_id=net.sg_id,
            permissions=[ecs_models.AuthorizeSecurityGroupRequestPermissions(**perm)])))[0], "InvalidPermission.Duplicate")
        self.assertEqual(error_of(lambda: client.authorize_security_group(ecs_models.AuthorizeSecurityGroupRequest(
            region_id=REGION, security_group_id=net.sg_id,
            permissions=[ecs_models.AuthorizeSecurityGroupRequestPermissions(
                ip_protocol="tcp", port_range="22", source_cidr_ip="0.0.0.0/0")])))[0], "InvalidPortRange.Malformed")
        attr = client.describe_security_group_attribute(ecs_models.DescribeSecurityGroupAttributeRequest(
            region_id=REGION, security_group_id=net.sg_id)).body
        self.assertEqual(attr.vpc_id, net.vpc_id)
        self.assertEqual([(p.ip_protocol, p.port_range, p.direction) for p in attr.permissions.permission],
                         [("TCP", "22/22", "ingress")])
        client.revoke_security_group(ecs_models.RevokeSecurityGroupRequest(
            region_id=REGION, security_group_id=net.sg_id,
            permissions=[ecs_models.RevokeSecurityGroupRequestPermissions(**perm)]))
        attr = client.describe_security_group_attribute(ecs_models.DescribeSecurityGroupAttributeRequest(
            region_id=REGION, security_group_id=net.sg_id)).body
        self.assertEqual(attr.permissions.permission, [])
        groups = client.describe_security_groups(ecs_models.DescribeSecurityGroupsRequest(
            region_id=REGION, vpc_id=net.vpc_id)).body
        self.assertEqual([g.security_group_id for g in groups.security_groups.security_group], [net.sg_id])
        net.delete()

    def test_eips_and_disks(self):
        control("POST", "/__sim/config", {"transition_ms": 0})
        try:
            net = Network(cidr="10.0.0.0/8", vsw_cidr="10.2.0.0/24")
            vm = net.run()[0]
            vclient, eclient = net.vpc_client, net.ecs_client
            eip = vclient.allocate_eip_address(vpc_models.AllocateEipAddressRequest(
                region_id=REGION, bandwidth="5", internet_charge_type="PayByTraffic")).body
            self.assertTrue(eip.allocation_id and eip.eip_address)
            vclient.associate_eip_address(vpc_models.AssociateEipAddressRequest(
                region_id=REGION, allocation_id=eip.allocation_id, instance_id=vm))
            listed = vclient.describe_eip_addresses(vpc_models.DescribeEipAddressesRequest(
                region_id=REGION, allocation_id=eip.allocation_id)).body.eip_addresses.eip_address[0]
            self.assertEqual((listed.status, listed.instance_id, listed.bandwidth), ("InUse", vm, "5"))
            inst = eclient.describe_instances(ecs_models.DescribeInstancesRequest(
                region_id=REGION, instance_ids=json.dumps([vm]))).body.instances.instance[0]
            self.assertEqual(inst.eip_address.ip_address, eip.eip_address)
            self.assertEqual(error_of(lambda: vclient.release_eip_address(vpc_models.ReleaseEipAddressRequest(
                region_id=REGION, allocation_id=eip.allocation_id)))[0], "IncorrectEipStatus")
            vclient.unassociate_eip_address(vpc_models.UnassociateEipAddressRequest(
                region_id=REGION, allocation_id=eip.allocation_id, instance_id=vm))
            vclient.release_eip_address(vpc_models.ReleaseEipAddressRequest(region_id=REGION, allocation_id=eip.allocation_id))

            disk = eclient.create_disk(ecs_models.CreateDiskRequest(
                region_id=REGION, zone_id=ZONE, disk_category="cloud_essd", size=50, disk_name="sdk-disk")).body.disk_id
            eclient.attach_disk(ecs_models.AttachDiskRequest(instance_id=vm, disk_id=disk))
            d = eclient.describe_disks(ecs_models.DescribeDisksRequest(
                region_id=REGION, disk_ids=json.dumps([disk]))).body.disks.disk[0]
            self.assertEqual((d.status, d.instance_id, d.size, d.category), ("In_use", vm, 50, "cloud_essd"))
            self.assertEqual(error_of(lambda: eclient.delete_disk(ecs_models.DeleteDiskRequest(disk_id=disk)))[0],
                             "IncorrectDiskStatus")
            eclient.detach_disk(ecs_models.DetachDiskRequest(instance_id=vm, disk_id=disk))
            eclient.delete_disk(ecs_models.DeleteDiskRequest(disk_id=disk))
            self.assertEqual(error_of(lambda: eclient.delete_disk(ecs_models.DeleteDiskRequest(disk_id=disk))),
                             ("InvalidDiskId.NotFound", 404))
            net.delete()
        finally:
            control("POST", "/__sim/config", {"transition_ms": 1000})

    def test_snapshots_and_images_made_from_them(self):
        net = Network(cidr="10.0.0.0/8", vsw_cidr="10.3.0.0/24")
        eclient = net.ecs_client
        vm = net.run()[0]
        advance(3000)
        system = eclient.describe_disks(ecs_models.DescribeDisksRequest(
            region_id=REGION, instance_id=vm, disk_type="system")).body.disks.disk[0].disk_id
        snap = eclient.create_snapshot(ecs_models.CreateSnapshotRequest(
            disk_id=system, snapshot_name="sdk-snap", description="from the sdk",
            tag=[ecs_models.CreateSnapshotRequestTag(key="env", value="test")])).body.snapshot_id
        self.assertTrue(snap.startswith("s-"))

        def describe(**kw):
            return eclient.describe_snapshots(ecs_models.DescribeSnapshotsRequest(region_id=REGION, **kw)).body

        s = describe(snapshot_ids=json.dumps([snap])).snapshots.snapshot[0]
        self.assertEqual((s.status, s.progress, s.source_disk_id, s.source_disk_type, s.source_disk_size),
                         ("progressing", "0%", system, "System", "40"))
        self.assertEqual((s.tags.tag[0].tag_key, s.tags.tag[0].tag_value), ("env", "test"))
        self.assertEqual(error_of(lambda: eclient.create_snapshot(ecs_models.CreateSnapshotRequest(disk_id=system))),
                         ("IncorrectDiskStatus.CreatingSnapshot", 403))
        self.assertEqual(error_of(lambda: eclient.create_snapshot(ecs_models.CreateSnapshotRequest(
            disk_id=system, snapshot_name="auto-x")))[0], "InvalidSnapshotName.Malformed")
        advance(2000)
        s = describe(snapshot_ids=json.dumps([snap])).snapshots.snapshot[0]
        self.assertEqual((s.status, s.progress, s.available, s.usage), ("accomplished", "100%", True, "none"))
        eclient.modify_snapshot_attribute(ecs_models.ModifySnapshotAttributeRequest(
            snapshot_id=snap, snapshot_name="sdk-renamed", description="renamed"))
        # NextToken paging over the instance's snapshots.
        eclient.create_snapshot(ecs_models.CreateSnapshotRequest(disk_id=system, snapshot_name="sdk-second"))
        advance(2000)
        first = describe(instance_id=vm, max_results=1)
        second = describe(instance_id=vm, max_results=1, next_token=first.next_token)
        self.assertEqual([first.snapshots.snapshot[0].snapshot_name, second.snapshots.snapshot[0].snapshot_name],
                         ["sdk-renamed", "sdk-second"])
        self.assertEqual(second.next_token, "")
        # An image made from the snapshot pins it.
        image = eclient.create_image(ecs_models.CreateImageRequest(
            region_id=REGION, snapshot_id=snap, image_name="sdk-from-snapshot")).body.image_id
        img = eclient.describe_images(ecs_models.DescribeImagesRequest(
            region_id=REGION, image_id=image, status="Creating,Available")).body.images.image[0]
        self.assertEqual((img.status, img.image_owner_alias, img.disk_device_mappings.disk_device_mapping[0].snapshot_id),
                         ("Creating", "self", snap))
        advance(1000)
        self.assertEqual(describe(snapshot_ids=json.dumps([snap])).snapshots.snapshot[0].usage, "image")
        self.assertEqual(error_of(lambda: eclient.delete_snapshot(ecs_models.DeleteSnapshotRequest(snapshot_id=snap))),
                         ("SnapshotCreatedImage", 403))
        eclient.delete_image(ecs_models.DeleteImageRequest(region_id=REGION, image_id=image))
        # A disk made from the snapshot: at least its size, and it pins the snapshot unless Force.
        self.assertEqual(error_of(lambda: eclient.create_disk(ecs_models.CreateDiskRequest(
            region_id=REGION, zone_id=ZONE, disk_category="cloud_essd", snapshot_id=snap, size=39))),
            ("InvalidDiskSize.TooSmall", 403))
        restored = eclient.create_disk(ecs_models.CreateDiskRequest(
            region_id=REGION, zone_id=ZONE, disk_category="cloud_essd", snapshot_id=snap)).body.disk_id
        d = eclient.describe_disks(ecs_models.DescribeDisksRequest(
            region_id=REGION, disk_ids=json.dumps([restored]))).body.disks.disk[0]
        self.assertEqual((d.size, d.source_snapshot_id, d.type), (40, snap, "data"))
        self.assertEqual(describe(snapshot_ids=json.dumps([snap])).snapshots.snapshot[0].usage, "disk")
        self.assertEqual(error_of(lambda: eclient.delete_snapshot(ecs_models.DeleteSnapshotRequest(snapshot_id=snap))),
                         ("SnapshotCreatedDisk", 403))
        eclient.delete_disk(ecs_models.DeleteDiskRequest(disk_id=restored))
        # The legacy core SDK lists them too (it adds RegionId to every request).
        listed = core_common(core(), "2014-05-26", "DescribeSnapshots", RegionId=REGION, DiskId=system)
        self.assertEqual(listed["TotalCount"], 2)
        for one in listed["Snapshots"]["Snapshot"]:
            core_common(core(), "2014-05-26", "DeleteSnapshot", SnapshotId=one["SnapshotId"])
        self.assertEqual(error_of(lambda: eclient.delete_snapshot(ecs_models.DeleteSnapshotRequest(snapshot_id=snap))),
                         ("InvalidSnapshotId.NotFound", 404))
        net.delete()

    def test_image_import_from_oss(self):
        bucket = oss2.Bucket(oss2.Auth(AK, SK), SIM_URL, "sdk-images")
        bucket.create_bucket()
        data = os.urandom(64 * 1024)
        bucket.put_object("images/disk.qcow2", data, headers={
            "Content-MD5": base64.b64encode(hashlib.md5(data).digest()).decode()})
        client = ecs()
        image = client.import_image(ecs_models.ImportImageRequest(
            region_id=REGION, image_name="sdk-imported", ostype="linux", platform="Ubuntu",
            disk_device_mapping=[ecs_models.ImportImageRequestDiskDeviceMapping(
                ossbucket="sdk-images", ossobject="images/disk.qcow2", format="QCOW2", disk_image_size=5)])).body
        describe = lambda: client.describe_images(ecs_models.DescribeImagesRequest(
            region_id=REGION, image_id=image.image_id, status="Waiting,Creating,Available")).body.images.image[0]
        self.assertEqual(describe().status, "Waiting")
        advance(2000)
        img = describe()
        self.assertEqual((img.status, img.image_owner_alias, img.size), ("Available", "self", 5))
        self.assertEqual(img.disk_device_mappings.disk_device_mapping[0].import_ossobject, "images/disk.qcow2")
        self.assertEqual(error_of(lambda: client.import_image(ecs_models.ImportImageRequest(
            region_id=REGION, disk_device_mapping=[ecs_models.ImportImageRequestDiskDeviceMapping(
                ossbucket="sdk-images", ossobject="missing.qcow2")])))[0], "InvalidOSSObject.NotFound")
        public = client.describe_images(ecs_models.DescribeImagesRequest(
            region_id=REGION, image_owner_alias="system", page_size=50)).body
        self.assertIn(IMAGE, [i.image_id for i in public.images.image])
        client.delete_image(ecs_models.DeleteImageRequest(region_id=REGION, image_id=image.image_id))
        bucket.delete_object("images/disk.qcow2")
        bucket.delete_bucket()

    def test_vpn_objects_and_routes(self):
        net = Network(cidr="10.0.0.0/8", vsw_cidr="10.3.0.0/24")
        client = net.vpc_client
        gw = client.create_vpn_gateway(vpc_models.CreateVpnGatewayRequest(
            region_id=REGION, vpc_id=net.vpc_id, bandwidth=10, enable_ipsec=True, name="sdk-vpn")).body
        self.assertEqual(gw.name, "sdk-vpn")
        cgw = client.create_customer_gateway(vpc_models.CreateCustomerGatewayRequest(
            region_id=REGION, ip_address="203.0.113.7", name="office")).body
        self.assertEqual(cgw.ip_address, "203.0.113.7")
        conn = client.create_vpn_connection(vpc_models.CreateVpnConnectionRequest(
            region_id=REGION, vpn_gateway_id=gw.vpn_gateway_id, customer_gateway_id=cgw.customer_gateway_id,
            local_subnet="10.3.0.0/24", remote_subnet="192.168.10.0/24", name="sdk-conn",
            ike_config=json.dumps({"IkeVersion": "ikev2", "Psk": "secret123", "IkeEncAlg": "aes256"}),
            ipsec_config=json.dumps({"IpsecEncAlg": "aes256", "IpsecPfs": "group14"}))).body
        listed = client.describe_vpn_connections(vpc_models.DescribeVpnConnectionsRequest(
            region_id=REGION, vpn_gateway_id=gw.vpn_gateway_id)).body.vpn_connections.vpn_connection
        self.assertEqual(len(listed), 1)
        self.assertEqual((listed[0].ike_config.ike_version, listed[0].ike_config.psk, listed[0].ike_config.ike_auth_alg),
                         ("ikev2", "secret123", "sha1"))
        self.assertEqual(listed[0].ipsec_config.ipsec_pfs, "group14")
        gws = client.describe_vpn_gateways(vpc_models.DescribeVpnGatewaysRequest(
            region_id=REGION, vpc_id=net.vpc_id)).body.vpn_gateways.vpn_gateway
        self.assertEqual([g.vpn_gateway_id for g in gws], [gw.vpn_gateway_id])
        self.assertTrue(gws[0].internet_ip)
        cgws = client.describe_customer_gateways(vpc_models.DescribeCustomerGatewaysRequest(
            region_id=REGION, customer_gateway_id=cgw.customer_gateway_id)).body.customer_gateways.customer_gateway
        self.assertEqual(cgws[0].name, "office")
        self.assertEqual(error_of(lambda: client.delete_vpn_gateway(vpc_models.DeleteVpnGatewayRequest(
            region_id=REGION, vpn_gateway_id=gw.vpn_gateway_id)))[0], "DependencyViolation.VpnConnection")
        # Routes: a custom entry to the VPN gateway in the VPC's system route table.
        vrouter = client.describe_vrouters(vpc_models.DescribeVRoutersRequest(region_id=REGION)).body.vrouters.vrouter
        table = [v for v in vrouter if v.vpc_id == net.vpc_id][0].route_table_ids.route_table_id[0]
        entry = client.create_route_entry(vpc_models.CreateRouteEntryRequest(
            region_id=REGION, route_table_id=table, destination_cidr_block="192.168.10.0/24",
            next_hop_type="VpnGateway", next_hop_id=gw.vpn_gateway_id)).body.route_entry_id
        entries = client.describe_route_entry_list(vpc_models.DescribeRouteEntryListRequest(
            region_id=REGION, route_table_id=table)).body.route_entrys.route_entry
        custom = [e for e in entries if e.type == "Custom"]
        self.assertEqual([(e.route_entry_id, e.next_hops.next_hop[0].next_hop_id) for e in custom],
                         [(entry, gw.vpn_gateway_id)])
        self.assertIn("10.3.0.0/24", [e.destination_cidr_block for e in entries if e.type == "System"])
        tables = client.describe_route_tables(vpc_models.DescribeRouteTablesRequest(
            region_id=REGION, route_table_id=table)).body.route_tables.route_table
        self.assertEqual(len(tables[0].route_entrys.route_entry), len(entries))
        self.assertEqual(error_of(lambda: client.create_route_entry(vpc_models.CreateRouteEntryRequest(
            region_id=REGION, route_table_id=table, destination_cidr_block="192.168.10.0/24",
            next_hop_type="VpnGateway", next_hop_id=gw.vpn_gateway_id)))[0], "InvalidCIDRBlock.Duplicate")
        client.delete_route_entry(vpc_models.DeleteRouteEntryRequest(region_id=REGION, route_entry_id=entry))
        config = client.download_vpn_connection_config(vpc_models.DownloadVpnConnectionConfigRequest(
            region_id=REGION, vpn_connection_id=conn.vpn_connection_id)).body.vpn_connection_config
        self.assertEqual((config.remote, config.local, config.ike_config.psk, config.remote_subnet),
                         ("203.0.113.7", gws[0].internet_ip, "secret123", "192.168.10.0/24"))
        # Router interfaces on the VPC's router: an accepting side has the Negative spec.
        vrouter_id = [v for v in vrouter if v.vpc_id == net.vpc_id][0].vrouter_id
        self.assertEqual(error_of(lambda: client.create_router_interface(vpc_models.CreateRouterInterfaceRequest(
            region_id=REGION, role="AcceptingSide", router_type="VRouter", router_id=vrouter_id,
            spec="Mini.2", opposite_region_id=REGION)))[0], "InvalidSpec.ValueNotSupported")
        ri = client.create_router_interface(vpc_models.CreateRouterInterfaceRequest(
            region_id=REGION, role="AcceptingSide", router_type="VRouter", router_id=vrouter_id,
            spec="Negative", opposite_region_id=REGION, name="sdk-ri")).body.router_interface_id
        listed_ri = client.describe_router_interfaces(vpc_models.DescribeRouterInterfacesRequest(
            region_id=REGION, filter=[vpc_models.DescribeRouterInterfacesRequestFilter(
                key="RouterInterfaceId", value=[ri])])).body.router_interface_set.router_interface_type
        self.assertEqual([(r.router_interface_id, r.status, r.name) for r in listed_ri], [(ri, "Idle", "sdk-ri")])
        client.delete_router_interface(vpc_models.DeleteRouterInterfaceRequest(region_id=REGION, router_interface_id=ri))
        client.delete_vpn_connection(vpc_models.DeleteVpnConnectionRequest(
            region_id=REGION, vpn_connection_id=conn.vpn_connection_id))
        client.delete_customer_gateway(vpc_models.DeleteCustomerGatewayRequest(
            region_id=REGION, customer_gateway_id=cgw.customer_gateway_id))
        client.delete_vpn_gateway(vpc_models.DeleteVpnGatewayRequest(region_id=REGION, vpn_gateway_id=gw.vpn_gateway_id))
        self.assertEqual(client.describe_vpn_gateways(vpc_models.DescribeVpnGatewaysRequest(
            region_id=REGION, vpc_id=net.vpc_id)).body.total_count, 0)
        self.assertIsNotNone(client.describe_virtual_border_routers(
            vpc_models.DescribeVirtualBorderRoutersRequest(region_id=REGION)).body.total_count)
        self.assertIsNotNone(client.describe_router_interfaces(
            vpc_models.DescribeRouterInterfacesRequest(region_id=REGION)).body.total_count)
        net.delete()

    def test_express_connect_border_routers_and_router_interfaces(self):
        client = vpc()
        # Access points: the region's fixed catalog, paged like the service.
        body = client.describe_access_points(vpc_models.DescribeAccessPointsRequest(region_id=REGION)).body
        self.assertEqual((body.total_count, body.page_number, body.page_size), (2, 1, 10))
        aps = body.access_point_set.access_point_type
        self.assertEqual([a.access_point_id for a in aps], ["ap-cn-hangzhou-xs-A", "ap-cn-hangzhou-yh-C"])
        self.assertEqual((aps[0].status, aps[0].type, aps[0].attached_region_no), ("recommended", "VPC", REGION))
        self.assertTrue(aps[0].name and aps[0].location and aps[0].host_operator)
        self.assertEqual(error_of(lambda: client.describe_access_points(vpc_models.DescribeAccessPointsRequest(
            region_id="mars-1")))[0], "InvalidRegionId.NotFound")

        # A border router leased over a line (seeded: the API cannot order a line), with
        # an Active pair of interfaces toward a VPC.
        control("POST", "/__sim/seed", {"region": REGION, "vpcs": 1, "vbrs": 1})
        listed = client.describe_virtual_border_routers(vpc_models.DescribeVirtualBorderRoutersRequest(
            region_id=REGION, page_size=50)).body.virtual_border_router_set.virtual_border_router_type
        vbr = [v for v in listed if v.name == "seed-vbr-0"][-1]

        def describe_vbr():
            body = client.describe_virtual_border_routers(vpc_models.DescribeVirtualBorderRoutersRequest(
                region_id=REGION, filter=[vpc_models.DescribeVirtualBorderRoutersRequestFilter(
                    key="VbrId", value=[vbr.vbr_id])])).body
            self.assertEqual(body.total_count, 1)
            return body.virtual_border_router_set.virtual_border_router_type[0]

        self.assertEqual((vbr.status, vbr.access_point_id, vbr.physical_connection_status), ("active", aps[0].access_point_id, "Enabled"))
        self.assertIsInstance(vbr.vlan_id, int)
        self.assertTrue(vbr.route_table_id and vbr.vlan_interface_id and vbr.creation_time and vbr.circuit_code)
        client.modify_virtual_border_router_attribute(vpc_models.ModifyVirtualBorderRouterAttributeRequest(
            region_id=REGION, vbr_id=vbr.vbr_id, vlan_id=2100, local_gateway_ip="10.20.30.1", peer_gateway_ip="10.20.30.2",
            peering_subnet_mask="255.255.255.248", name="sdk-vbr", description="renamed by the SDK"))
        v = describe_vbr()
        self.assertEqual((v.vlan_id, v.local_gateway_ip, v.peer_gateway_ip, v.peering_subnet_mask, v.name, v.description),
                         (2100, "10.20.30.1", "10.20.30.2", "255.255.255.248", "sdk-vbr", "renamed by the SDK"))
        modify = lambda **kw: vpc(v2=True).modify_virtual_border_router_attribute(
            vpc_models.ModifyVirtualBorderRouterAttributeRequest(region_id=REGION, vbr_id=vbr.vbr_id, **kw))
        self.assertEqual(error_of(lambda: modify(vlan_id=3000)), ("InvalidVlanId.Malformed", 400))
        self.assertEqual(error_of(lambda: modify(peer_gateway_ip="10.20.31.2")), ("InvalidIp.Malformed", 400))
        # Terminate only an active VBR, recover only a terminated one.
        terminate = lambda: client.terminate_virtual_border_router(vpc_models.TerminateVirtualBorderRouterRequest(
            region_id=REGION, vbr_id=vbr.vbr_id))
        recover = lambda: client.recover_virtual_border_router(vpc_models.RecoverVirtualBorderRouterRequest(
            region_id=REGION, vbr_id=vbr.vbr_id))
        refused = ("InvalidOperation.OperationNotAllowedInState", 400)
        self.assertEqual(error_of(recover), refused)
        self.assertTrue(terminate().body.request_id)
        self.assertEqual(describe_vbr().status, "terminating")
        advance(1000)
        self.assertEqual(describe_vbr().status, "terminated")
        self.assertEqual(error_of(terminate), refused)
        recover()
        self.assertEqual(describe_vbr().status, "recovering")
        advance(1000)
        self.assertEqual(describe_vbr().status, "active")
        self.assertEqual(error_of(lambda: client.terminate_virtual_border_router(vpc_models.TerminateVirtualBorderRouterRequest(
            region_id=REGION, vbr_id="vbr-nope"))), ("InvalidVbrId.NotFound", 404))

        def interfaces(**filters):
            body = client.describe_router_interfaces(vpc_models.DescribeRouterInterfacesRequest(
                region_id=REGION, page_size=50, filter=[vpc_models.DescribeRouterInterfacesRequestFilter(key=k, value=[v])
                                                        for k, v in filters.items()])).body
            self.assertEqual(body.total_count, len(body.router_interface_set.router_interface_type))
            return body.router_interface_set.router_interface_type

        seeded = interfaces(RouterId=vbr.vbr_id)[0]
        self.assertEqual((seeded.router_type, seeded.role, seeded.status, seeded.spec, seeded.opposite_router_type),
                         ("VBR", "InitiatingSide", "Active", "Large.2", "VRouter"))
        self.assertTrue(seeded.connected_time and seeded.creation_time and seeded.opposite_interface_id)

        # A new link between two VPCs' routers: create both ends, name each other, connect.
        routers = [client.create_vpc(vpc_models.CreateVpcRequest(region_id=REGION, cidr_block=cidr)).body
                   for cidr in ("10.0.0.0/16", "172.16.0.0/16")]
        create = lambda router, role, spec: client.create_router_interface(vpc_models.CreateRouterInterfaceRequest(
            region_id=REGION, router_type="VRouter", router_id=router.vrouter_id, role=role, spec=spec,
            opposite_region_id=REGION, name=f"sdk-{role}")).body
        made = create(routers[0], "InitiatingSide", "Small.1")
        self.assertTrue(made.router_interface_id.startswith("ri-") and made.order_id is not None)
        initiating, accepting = made.router_interface_id, create(routers[1], "AcceptingSide", "Negative").router_interface_id
        for ri, opposite, router in ((initiating, accepting, routers[1]), (accepting, initiating, routers[0])):
            client.modify_router_interface_attribute(vpc_models.ModifyRouterInterfaceAttributeRequest(
                region_id=REGION, router_interface_id=ri, opposite_interface_id=opposite,
                opposite_router_id=router.vrouter_id, opposite_router_type="VRouter"))
        self.assertEqual(error_of(lambda: client.connect_router_interface(vpc_models.ConnectRouterInterfaceRequest(
            region_id=REGION, router_interface_id=accepting))), ("IncorrectRole.NotInitiatingSide", 400))
        client.connect_router_interface(vpc_models.ConnectRouterInterfaceRequest(region_id=REGION, router_interface_id=initiating))
        status = lambda: [r.status for r in interfaces(RouterInterfaceId=initiating) + interfaces(RouterInterfaceId=accepting)]
        self.assertEqual(status(), ["Connecting", "AcceptingConnecting"])
        advance(1000)
        self.assertEqual(status(), ["Active", "Active"])
        i = interfaces(RouterInterfaceId=initiating)[0]
        self.assertEqual((i.name, i.role, i.spec, i.opposite_interface_id, i.opposite_router_id, i.opposite_region_id),
                         ("sdk-InitiatingSide", "InitiatingSide", "Small.1", accepting, routers[1].vrouter_id, REGION))
        # A link that is up is neither deleted nor re-pointed.
        delete = lambda ri: client.delete_router_interface(vpc_models.DeleteRouterInterfaceRequest(
            region_id=REGION, router_interface_id=ri))
        self.assertEqual(error_of(lambda: delete(initiating)), ("IncorrectStatus", 400))
        self.assertEqual(error_of(lambda: client.modify_router_interface_attribute(vpc_models.ModifyRouterInterfaceAttributeRequest(
            region_id=REGION, router_interface_id=accepting, opposite_interface_id=initiating))), ("IncorrectRIStatus", 400))
        switch = lambda verb, ri: getattr(vpc(v2=True), f"{verb}_router_interface")(
            getattr(vpc_models, f"{verb.capitalize()}RouterInterfaceRequest")(region_id=REGION, router_interface_id=ri))
        switch("deactivate", accepting)
        self.assertEqual(status(), ["Deactivating", "Deactivating"])
        advance(1000)
        self.assertEqual(status(), ["Inactive", "Inactive"])
        switch("activate", initiating)
        advance(1000)
        self.assertEqual(status(), ["Active", "Active"])
        switch("deactivate", initiating)
        advance(1000)
        for ri in (initiating, accepting):
            delete(ri)
        self.assertEqual(error_of(lambda: delete(initiating)), ("InvalidRouterInterfaceId.NotFound", 404))
        self.assertEqual(error_of(lambda: switch("activate", initiating)), ("InvalidRouterInterfaceId.NotFound", 404))
        for router in routers:
            client.delete_vpc(vpc_models.DeleteVpcRequest(region_id=REGION, vpc_id=router.vpc_id))

    def test_v2_signature_and_legacy_core_sdk(self):
        control("POST", "/__sim/config", {"transition_ms": 0})
        try:
            # Tea with signature_algorithm="v2": the RPC V1 signature.
            v2vpc, v2ecs = vpc(v2=True), ecs(v2=True)
            vpc_id = v2vpc.create_vpc(vpc_models.CreateVpcRequest(region_id=REGION, cidr_block="10.0.0.0/16")).body.vpc_id
            vsw = v2vpc.create_vswitch(vpc_models.CreateVSwitchRequest(
                region_id=REGION, vpc_id=vpc_id, zone_id=ZONE, cidr_block="10.0.5.0/24")).body.v_switch_id
            sg = v2ecs.create_security_group(ecs_models.CreateSecurityGroupRequest(region_id=REGION, vpc_id=vpc_id)).body.security_group_id
            ids = v2ecs.run_instances(ecs_models.RunInstancesRequest(
                region_id=REGION, image_id=IMAGE, instance_type="ecs.c6.large", security_group_id=sg,
                v_switch_id=vsw, amount=3)).body.instance_id_sets.instance_id_set
            # Legacy core SDK (V1, Format=JSON, SignatureType= signed): paging, start/stop.
            client = core()
            req = DescribeInstancesRequest()
            req.set_VpcId(vpc_id)
            req.set_PageSize(2)
            req.set_PageNumber(2)
            body = core_call(client, req)
            self.assertEqual(body["TotalCount"], 3)
            self.assertEqual([i["InstanceId"] for i in body["Instances"]["Instance"]], ids[2:])
            stop = StopInstanceRequest()
            stop.set_InstanceId(ids[0])
            core_call(client, stop)
            start = StartInstanceRequest()
            start.set_InstanceId(ids[1])
            self.assertEqual(error_of(lambda: core_call(client, start)), ("IncorrectInstanceStatus", 403))
            start.set_InstanceId(ids[0])
            core_call(client, start)  # Stopped by now: with a zero step, every transition ends by the next call
            # VPC through the core SDK's CommonRequest.
            listed = core_common(client, "2016-04-28", "DescribeVSwitches", RegionId=REGION, VpcId=vpc_id)
            self.assertEqual(listed["VSwitches"]["VSwitch"][0]["VSwitchId"], vsw)
            for i in ids:
                v2ecs.delete_instance(ecs_models.DeleteInstanceRequest(instance_id=i, force=True))
            v2ecs.delete_security_group(ecs_models.DeleteSecurityGroupRequest(region_id=REGION, security_group_id=sg))
            core_common(client, "2016-04-28", "DeleteVSwitch", RegionId=REGION, VSwitchId=vsw)
            core_common(client, "2016-04-28", "DeleteVpc", RegionId=REGION, VpcId=vpc_id)
            self.assertEqual(error_of(lambda: core_common(client, "2016-04-28", "DeleteVpc", RegionId=REGION, VpcId=vpc_id)),
                             ("InvalidVpcId.NotFound", 404))
        finally:
            control("POST", "/__sim/config", {"transition_ms": 1000})

    def test_wrong_secret_and_unknown_key_are_refused(self):
        # Tea, ACS3 and v2 signatures.
        for v2 in (False, True):
            self.assertEqual(error_of(lambda: ecs(v2=v2, secret="wrong").describe_regions(ecs_models.DescribeRegionsRequest())),
                             ("SignatureDoesNotMatch", 400))
            self.assertEqual(error_of(lambda: vpc(v2=v2, key="nobody").describe_vpcs(vpc_models.DescribeVpcsRequest(region_id=REGION))),
                             ("InvalidAccessKeyId.NotFound", 404))
        # The core SDK turns SignatureDoesNotMatch into InvalidAccessKeySecret when the
        # server's string-to-sign equals its own: proof both sides built the same string.
        self.assertEqual(error_of(lambda: core_call(core(secret="wrong"), DescribeRegionsRequest())),
                         ("InvalidAccessKeySecret", 400))
        self.assertEqual(error_of(lambda: core_call(core(key="nobody"), DescribeRegionsRequest())),
                         ("InvalidAccessKeyId.NotFound", 404))
        for auth in (oss2.Auth(AK, "wrong"), oss2.AuthV4(AK, "wrong")):
            self.assertEqual(error_of(lambda: oss2.Service(auth, SIM_URL, region=REGION).list_buckets()),
                             ("SignatureDoesNotMatch", 403))
        self.assertEqual(error_of(lambda: oss2.Service(oss2.Auth("nobody", SK), SIM_URL).list_buckets()),
                         ("InvalidAccessKeyId", 403))

    def test_oss_multipart_upload(self):
        bucket = oss2.Bucket(oss2.Auth(AK, SK), SIM_URL, "sdk-multipart", region=REGION)
        bucket.create_bucket(oss2.BUCKET_ACL_PRIVATE)
        parts_data = [bytes([n]) * (100 * 1024) for n in range(1, 3)] + [b"tail"]
        upload_id = bucket.init_multipart_upload("big.img").upload_id
        parts = []
        for number, data in enumerate(parts_data, start=1):
            result = bucket.upload_part("big.img", upload_id, number, data)
            parts.append(oss2.models.PartInfo(number, result.etag))
        bucket.complete_multipart_upload("big.img", upload_id, parts)
        self.assertEqual(bucket.get_object("big.img").read(), b"".join(parts_data))
        aborted = bucket.init_multipart_upload("gone.img").upload_id
        bucket.upload_part("gone.img", aborted, 1, b"x")
        bucket.abort_multipart_upload("gone.img", aborted)
        self.assertEqual(error_of(lambda: bucket.upload_part("gone.img", aborted, 2, b"y"))[0], "NoSuchUpload")
        bucket.delete_object("big.img")
        bucket.delete_bucket()

    def test_oss_v1_and_v4(self):
        for n, auth in enumerate((oss2.Auth(AK, SK), oss2.AuthV4(AK, SK))):
            name = f"sdk-oss-{n}"
            bucket = oss2.Bucket(auth, SIM_URL, name, region=REGION)
            bucket.create_bucket(oss2.BUCKET_ACL_PRIVATE)
            names = [b.name for b in oss2.Service(auth, SIM_URL, region=REGION).list_buckets().buckets]
            self.assertIn(name, names)
            data = b"zstack image bytes " * 1000
            result = bucket.put_object("dir/obj 1.bin", data)
            self.assertEqual(result.etag, hashlib.md5(data).hexdigest().upper())
            self.assertEqual(bucket.get_object("dir/obj 1.bin").read(), data)
            self.assertEqual(bucket.get_object("dir/obj 1.bin", byte_range=(0, 5)).read(), data[:6])
            self.assertEqual(bucket.head_object("dir/obj 1.bin").content_length, len(data))
            self.assertEqual([o.key for o in oss2.ObjectIterator(bucket)], ["dir/obj 1.bin"])
            self.assertEqual(error_of(lambda: bucket.get_object("missing")), ("NoSuchKey", 404))
            self.assertEqual(error_of(lambda: bucket.put_object("bad", b"x", headers={"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="}))[0],
                             "InvalidDigest")
            self.assertEqual(error_of(lambda: bucket.delete_bucket()), ("BucketNotEmpty", 409))
            bucket.delete_object("dir/obj 1.bin")
            bucket.delete_bucket()
            self.assertEqual(error_of(lambda: bucket.delete_bucket()), ("NoSuchBucket", 404))

    def test_modify_attribute_actions(self):
        control("POST", "/__sim/config", {"transition_ms": 0})
        try:
            net = Network(cidr="10.0.0.0/8", vsw_cidr="10.4.0.0/24")
            vclient, eclient = net.vpc_client, net.ecs_client
            # VPC (Tea, ACS3): the new name and description come back from DescribeVpcs.
            vclient.modify_vpc_attribute(vpc_models.ModifyVpcAttributeRequest(
                region_id=REGION, vpc_id=net.vpc_id, vpc_name="sdk-vpc-renamed", description="renamed by the SDK"))
            v = vclient.describe_vpcs(vpc_models.DescribeVpcsRequest(region_id=REGION, vpc_id=net.vpc_id)).body.vpcs.vpc[0]
            self.assertEqual((v.vpc_name, v.description), ("sdk-vpc-renamed", "renamed by the SDK"))
            self.assertEqual(error_of(lambda: vclient.modify_vpc_attribute(vpc_models.ModifyVpcAttributeRequest(
                region_id=REGION, vpc_id=net.vpc_id, vpc_name="http://bad"))), ("InvalidVpcName.Malformed", 400))
            self.assertEqual(error_of(lambda: vclient.modify_vpc_attribute(vpc_models.ModifyVpcAttributeRequest(
                region_id=REGION, vpc_id="vpc-nope", vpc_name="x"))), ("InvalidVpcId.NotFound", 404))
            # Security group (Tea with the v2 signature): ECS names start with a letter.
            ecs(v2=True).modify_security_group_attribute(ecs_models.ModifySecurityGroupAttributeRequest(
                region_id=REGION, security_group_id=net.sg_id, security_group_name="sdk-sg-renamed", description="web servers"))
            attr = eclient.describe_security_group_attribute(ecs_models.DescribeSecurityGroupAttributeRequest(
                region_id=REGION, security_group_id=net.sg_id)).body
            self.assertEqual((attr.security_group_name, attr.description), ("sdk-sg-renamed", "web servers"))
            self.assertEqual(error_of(lambda: eclient.modify_security_group_attribute(ecs_models.ModifySecurityGroupAttributeRequest(
                region_id=REGION, security_group_id=net.sg_id, security_group_name="1sg")))[0], "InvalidSecurityGroupName.Malformed")
            # EIP bandwidth (legacy core SDK, CommonRequest on the VPC API).
            eip = vclient.allocate_eip_address(vpc_models.AllocateEipAddressRequest(region_id=REGION, bandwidth="5")).body.allocation_id
            core_common(core(), "2016-04-28", "ModifyEipAddressAttribute", RegionId=REGION, AllocationId=eip, Bandwidth="20", Name="sdk-eip")
            listed = vclient.describe_eip_addresses(vpc_models.DescribeEipAddressesRequest(
                region_id=REGION, allocation_id=eip)).body.eip_addresses.eip_address[0]
            self.assertEqual((listed.bandwidth, listed.name), ("20", "sdk-eip"))
            self.assertEqual(error_of(lambda: vclient.modify_eip_address_attribute(vpc_models.ModifyEipAddressAttributeRequest(
                region_id=REGION, allocation_id=eip, bandwidth="501")))[0], "InvalidParameter")
            vclient.release_eip_address(vpc_models.ReleaseEipAddressRequest(region_id=REGION, allocation_id=eip))
            # Disk flags and the VNC password of a running instance.
            vm = net.run()[0]
            disk = eclient.describe_disks(ecs_models.DescribeDisksRequest(region_id=REGION, instance_id=vm)).body.disks.disk[0]
            eclient.modify_disk_attribute(ecs_models.ModifyDiskAttributeRequest(
                disk_id=disk.disk_id, disk_name="sdk-system", enable_auto_snapshot=False))
            d = eclient.describe_disks(ecs_models.DescribeDisksRequest(
                region_id=REGION, disk_ids=json.dumps([disk.disk_id]))).body.disks.disk[0]
            self.assertEqual((d.disk_name, d.enable_auto_snapshot), ("sdk-system", False))
            eclient.modify_instance_vnc_passwd(ecs_models.ModifyInstanceVncPasswdRequest(
                region_id=REGION, instance_id=vm, vnc_password="Abc123"))
            self.assertEqual(error_of(lambda: eclient.modify_instance_vnc_passwd(ecs_models.ModifyInstanceVncPasswdRequest(
                region_id=REGION, instance_id=vm, vnc_password="abc!23"))), ("IncorrectVncPassword.Malformed", 400))
            url = eclient.describe_instance_vnc_url(ecs_models.DescribeInstanceVncUrlRequest(
                region_id=REGION, instance_id=vm)).body.vnc_url
            self.assertIn(vm, url)
            net.delete()
        finally:
            control("POST", "/__sim/config", {"transition_ms": 1000})

    def test_faults_reach_the_sdk_as_alibaba_errors(self):
        control("POST", "/__sim/faults", {"action": "DescribeRegions", "kind": "throttle", "count": 1})
        self.assertEqual(error_of(lambda: ecs().describe_regions(ecs_models.DescribeRegionsRequest())),
                         ("Throttling.User", 400))
        ecs().describe_regions(ecs_models.DescribeRegionsRequest())
        control("POST", "/__sim/faults", {"action": "DescribeVpcs", "kind": "fail", "count": 1})
        code, status = error_of(lambda: vpc().describe_vpcs(vpc_models.DescribeVpcsRequest(region_id=REGION)))
        self.assertEqual((code, status), ("InternalError", 500))

    def test_zz_stats_show_every_scheme_and_no_unsigned_request(self):
        stats = control("GET", "/__sim/stats")
        for scheme in ("acs3", "rpc_v1", "oss_v1", "oss_v4"):
            self.assertGreater(stats["signatures"].get(scheme, 0), 0, scheme)
        for action, s in stats["actions"].items():
            auth_errors = sum(n for code, n in s["errors"].items()
                              if code in ("SignatureDoesNotMatch", "InvalidAccessKeyId.NotFound", "InvalidAccessKeyId"))
            self.assertEqual(s["requests"], s["signed_ok"] + auth_errors, action)
            self.assertNotIn("SignatureNonceUsed", s["errors"], action)


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    print(f"SUMMARY: {result.testsRun} SDK tests, {len(result.failures)} failures, {len(result.errors)} errors")
    sys.exit(0 if result.wasSuccessful() else 1)
