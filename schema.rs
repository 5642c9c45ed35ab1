// @generated from actors/node/src/tables.rs by tests/schema_drift.rs; do not edit.

diesel::table! {
    zone (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        state -> Nullable<Text>,
        type -> Nullable<Text>,
        is_default -> Nullable<BigInt>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    cluster (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        state -> Nullable<Text>,
        hypervisor_type -> Nullable<Text>,
        zone_uuid -> Nullable<Text>,
        type -> Nullable<Text>,
        architecture -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    host (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        zone_uuid -> Nullable<Text>,
        cluster_uuid -> Nullable<Text>,
        management_ip -> Nullable<Text>,
        hypervisor_type -> Nullable<Text>,
        state -> Nullable<Text>,
        status -> Nullable<Text>,
        total_cpu_capacity -> Nullable<BigInt>,
        available_cpu_capacity -> Nullable<BigInt>,
        cpu_sockets -> Nullable<BigInt>,
        total_memory_capacity -> Nullable<BigInt>,
        available_memory_capacity -> Nullable<BigInt>,
        cpu_num -> Nullable<BigInt>,
        architecture -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    primary_storage (uuid) {
        uuid -> Text,
        zone_uuid -> Nullable<Text>,
        name -> Nullable<Text>,
        url -> Nullable<Text>,
        description -> Nullable<Text>,
        total_capacity -> Nullable<BigInt>,
        available_capacity -> Nullable<BigInt>,
        total_physical_capacity -> Nullable<BigInt>,
        available_physical_capacity -> Nullable<BigInt>,
        system_used_capacity -> Nullable<BigInt>,
        type -> Nullable<Text>,
        state -> Nullable<Text>,
        status -> Nullable<Text>,
        mount_path -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    primary_storage_cluster_ref (uuid) {
        uuid -> Text,
        primary_storage_uuid -> Nullable<Text>,
        cluster_uuid -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    backup_storage (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        url -> Nullable<Text>,
        description -> Nullable<Text>,
        total_capacity -> Nullable<BigInt>,
        available_capacity -> Nullable<BigInt>,
        type -> Nullable<Text>,
        state -> Nullable<Text>,
        status -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    backup_storage_zone_ref (uuid) {
        uuid -> Text,
        backup_storage_uuid -> Nullable<Text>,
        zone_uuid -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    l2_network (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        zone_uuid -> Nullable<Text>,
        physical_interface -> Nullable<Text>,
        type -> Nullable<Text>,
        v_switch_type -> Nullable<Text>,
        virtual_network_id -> Nullable<BigInt>,
        vlan -> Nullable<BigInt>,
        isolated -> Nullable<BigInt>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        vni -> Nullable<BigInt>,
        pool_uuid -> Nullable<Text>,
        inv -> Text,
    }
}

diesel::table! {
    l2_network_cluster_ref (uuid) {
        uuid -> Text,
        l2_network_uuid -> Nullable<Text>,
        cluster_uuid -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    l3_network (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        type -> Nullable<Text>,
        zone_uuid -> Nullable<Text>,
        l2_network_uuid -> Nullable<Text>,
        state -> Nullable<Text>,
        dns_domain -> Nullable<Text>,
        f_system -> Nullable<BigInt>,
        category -> Nullable<Text>,
        ip_version -> Nullable<BigInt>,
        enable_i_p_a_m -> Nullable<BigInt>,
        isolated -> Nullable<BigInt>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    ip_range (uuid) {
        uuid -> Text,
        l3_network_uuid -> Nullable<Text>,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        start_ip -> Nullable<Text>,
        end_ip -> Nullable<Text>,
        netmask -> Nullable<Text>,
        gateway -> Nullable<Text>,
        network_cidr -> Nullable<Text>,
        ip_version -> Nullable<BigInt>,
        prefix_len -> Nullable<BigInt>,
        ip_range_type -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    used_ip (uuid) {
        uuid -> Text,
        ip_range_uuid -> Nullable<Text>,
        l3_network_uuid -> Nullable<Text>,
        ip_version -> Nullable<BigInt>,
        ip -> Nullable<Text>,
        netmask -> Nullable<Text>,
        gateway -> Nullable<Text>,
        used_for -> Nullable<Text>,
        ip_in_long -> Nullable<BigInt>,
        vm_nic_uuid -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    l3_network_dns (uuid) {
        uuid -> Text,
        l3_network_uuid -> Nullable<Text>,
        dns -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    network_service_l3_ref (uuid) {
        uuid -> Text,
        l3_network_uuid -> Nullable<Text>,
        network_service_provider_uuid -> Nullable<Text>,
        network_service_type -> Nullable<Text>,
        inv -> Text,
    }
}

diesel::table! {
    instance_offering (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        cpu_num -> Nullable<BigInt>,
        cpu_speed -> Nullable<BigInt>,
        memory_size -> Nullable<BigInt>,
        reserved_memory_size -> Nullable<BigInt>,
        type -> Nullable<Text>,
        allocator_strategy -> Nullable<Text>,
        sort_key -> Nullable<BigInt>,
        state -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    disk_offering (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        disk_size -> Nullable<BigInt>,
        sort_key -> Nullable<BigInt>,
        state -> Nullable<Text>,
        type -> Nullable<Text>,
        allocator_strategy -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    image (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        state -> Nullable<Text>,
        status -> Nullable<Text>,
        size -> Nullable<BigInt>,
        actual_size -> Nullable<BigInt>,
        md5_sum -> Nullable<Text>,
        url -> Nullable<Text>,
        media_type -> Nullable<Text>,
        guest_os_type -> Nullable<Text>,
        type -> Nullable<Text>,
        platform -> Nullable<Text>,
        architecture -> Nullable<Text>,
        format -> Nullable<Text>,
        f_system -> Nullable<BigInt>,
        virtio -> Nullable<BigInt>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    image_backup_storage_ref (uuid) {
        uuid -> Text,
        image_uuid -> Nullable<Text>,
        backup_storage_uuid -> Nullable<Text>,
        install_path -> Nullable<Text>,
        status -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    vm_instance (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        zone_uuid -> Nullable<Text>,
        cluster_uuid -> Nullable<Text>,
        image_uuid -> Nullable<Text>,
        host_uuid -> Nullable<Text>,
        last_host_uuid -> Nullable<Text>,
        instance_offering_uuid -> Nullable<Text>,
        root_volume_uuid -> Nullable<Text>,
        platform -> Nullable<Text>,
        architecture -> Nullable<Text>,
        default_l3_network_uuid -> Nullable<Text>,
        type -> Nullable<Text>,
        hypervisor_type -> Nullable<Text>,
        memory_size -> Nullable<BigInt>,
        reserved_memory_size -> Nullable<BigInt>,
        cpu_num -> Nullable<BigInt>,
        cpu_speed -> Nullable<BigInt>,
        allocator_strategy -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        state -> Nullable<Text>,
        guest_os_type -> Nullable<Text>,
        inv -> Text,
    }
}

diesel::table! {
    vm_nic (uuid) {
        uuid -> Text,
        vm_instance_uuid -> Nullable<Text>,
        l3_network_uuid -> Nullable<Text>,
        ip -> Nullable<Text>,
        mac -> Nullable<Text>,
        hypervisor_type -> Nullable<Text>,
        netmask -> Nullable<Text>,
        gateway -> Nullable<Text>,
        ip_version -> Nullable<BigInt>,
        driver_type -> Nullable<Text>,
        internal_name -> Nullable<Text>,
        device_id -> Nullable<BigInt>,
        type -> Nullable<Text>,
        state -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    volume (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        primary_storage_uuid -> Nullable<Text>,
        vm_instance_uuid -> Nullable<Text>,
        disk_offering_uuid -> Nullable<Text>,
        root_image_uuid -> Nullable<Text>,
        install_path -> Nullable<Text>,
        type -> Nullable<Text>,
        format -> Nullable<Text>,
        size -> Nullable<BigInt>,
        actual_size -> Nullable<BigInt>,
        device_id -> Nullable<BigInt>,
        state -> Nullable<Text>,
        status -> Nullable<Text>,
        is_shareable -> Nullable<BigInt>,
        last_vm_instance_uuid -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    system_tag (uuid) {
        uuid -> Text,
        resource_uuid -> Nullable<Text>,
        resource_type -> Nullable<Text>,
        tag -> Nullable<Text>,
        type -> Nullable<Text>,
        inherent -> Nullable<BigInt>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    user_tag (uuid) {
        uuid -> Text,
        resource_uuid -> Nullable<Text>,
        resource_type -> Nullable<Text>,
        tag -> Nullable<Text>,
        type -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        tag_pattern_uuid -> Nullable<Text>,
        inv -> Text,
    }
}

diesel::table! {
    global_config (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        category -> Nullable<Text>,
        description -> Nullable<Text>,
        default_value -> Nullable<Text>,
        value -> Nullable<Text>,
        inv -> Text,
    }
}

diesel::table! {
    account (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        type -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    account_credential (uuid) {
        uuid -> Text,
        password_hash -> Nullable<Text>,
        inv -> Text,
    }
}

diesel::table! {
    session (uuid) {
        uuid -> Text,
        account_uuid -> Nullable<Text>,
        user_uuid -> Nullable<Text>,
        user_type -> Nullable<Text>,
        expired_date -> Nullable<BigInt>,
        create_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    async_job (uuid) {
        uuid -> Text,
        api_name -> Nullable<Text>,
        state -> Nullable<Text>,
        http_status -> Nullable<BigInt>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    volume_snapshot (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        type -> Nullable<Text>,
        volume_uuid -> Nullable<Text>,
        tree_uuid -> Nullable<Text>,
        parent_uuid -> Nullable<Text>,
        primary_storage_uuid -> Nullable<Text>,
        primary_storage_install_path -> Nullable<Text>,
        volume_type -> Nullable<Text>,
        format -> Nullable<Text>,
        latest -> Nullable<BigInt>,
        size -> Nullable<BigInt>,
        distance -> Nullable<BigInt>,
        state -> Nullable<Text>,
        status -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    volume_snapshot_tree (uuid) {
        uuid -> Text,
        volume_uuid -> Nullable<Text>,
        current -> Nullable<BigInt>,
        status -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    vm_cdrom (uuid) {
        uuid -> Text,
        vm_instance_uuid -> Nullable<Text>,
        device_id -> Nullable<BigInt>,
        iso_uuid -> Nullable<Text>,
        iso_install_path -> Nullable<Text>,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    l3_network_host_route (uuid) {
        uuid -> Text,
        l3_network_uuid -> Nullable<Text>,
        prefix -> Nullable<Text>,
        nexthop -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    resource_config (uuid) {
        uuid -> Text,
        resource_uuid -> Nullable<Text>,
        resource_type -> Nullable<Text>,
        category -> Nullable<Text>,
        name -> Nullable<Text>,
        value -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    volume_snapshot_group (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        vm_instance_uuid -> Nullable<Text>,
        snapshots_num -> Nullable<BigInt>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    volume_snapshot_group_ref (uuid) {
        uuid -> Text,
        volume_snapshot_group_uuid -> Nullable<Text>,
        volume_snapshot_uuid -> Nullable<Text>,
        volume_uuid -> Nullable<Text>,
        volume_type -> Nullable<Text>,
        device_id -> Nullable<BigInt>,
        snapshot_deleted -> Nullable<BigInt>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    vni_range (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        l2_network_uuid -> Nullable<Text>,
        start_vni -> Nullable<BigInt>,
        end_vni -> Nullable<BigInt>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    tag_pattern (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        value -> Nullable<Text>,
        description -> Nullable<Text>,
        color -> Nullable<Text>,
        type -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    long_job (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        api_id -> Nullable<Text>,
        job_name -> Nullable<Text>,
        job_data -> Nullable<Text>,
        job_result -> Nullable<Text>,
        state -> Nullable<Text>,
        target_resource_uuid -> Nullable<Text>,
        management_node_uuid -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        execute_time -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    kvm_host (uuid) {
        uuid -> Text,
        username -> Nullable<Text>,
        ssh_port -> Nullable<BigInt>,
        agent_port -> Nullable<BigInt>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    local_storage_host_ref (uuid) {
        uuid -> Text,
        primary_storage_uuid -> Nullable<Text>,
        host_uuid -> Nullable<Text>,
        total_capacity -> Nullable<BigInt>,
        available_capacity -> Nullable<BigInt>,
        total_physical_capacity -> Nullable<BigInt>,
        available_physical_capacity -> Nullable<BigInt>,
        system_used_capacity -> Nullable<BigInt>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    local_storage_resource_ref (uuid) {
        uuid -> Text,
        resource_uuid -> Nullable<Text>,
        primary_storage_uuid -> Nullable<Text>,
        host_uuid -> Nullable<Text>,
        resource_type -> Nullable<Text>,
        size -> Nullable<BigInt>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    iam_user (uuid) {
        uuid -> Text,
        account_uuid -> Nullable<Text>,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    hybrid_key (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        account_uuid -> Nullable<Text>,
        type -> Nullable<Text>,
        f_key -> Nullable<Text>,
        current -> Nullable<BigInt>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    hybrid_key_secret (uuid) {
        uuid -> Text,
        sealed -> Nullable<Text>,
        inv -> Text,
    }
}

diesel::table! {
    data_center (uuid) {
        uuid -> Text,
        region_id -> Nullable<Text>,
        region_name -> Nullable<Text>,
        dc_type -> Nullable<Text>,
        endpoint -> Nullable<Text>,
        description -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    identity_zone (uuid) {
        uuid -> Text,
        data_center_uuid -> Nullable<Text>,
        zone_id -> Nullable<Text>,
        zone_name -> Nullable<Text>,
        type -> Nullable<Text>,
        description -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    ecs_vpc (uuid) {
        uuid -> Text,
        data_center_uuid -> Nullable<Text>,
        ecs_vpc_id -> Nullable<Text>,
        name -> Nullable<Text>,
        vpc_name -> Nullable<Text>,
        cidr_block -> Nullable<Text>,
        status -> Nullable<Text>,
        v_router_id -> Nullable<Text>,
        description -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    ecs_vswitch (uuid) {
        uuid -> Text,
        data_center_uuid -> Nullable<Text>,
        v_switch_id -> Nullable<Text>,
        ecs_vpc_uuid -> Nullable<Text>,
        identity_zone_uuid -> Nullable<Text>,
        name -> Nullable<Text>,
        v_switch_name -> Nullable<Text>,
        cidr_block -> Nullable<Text>,
        status -> Nullable<Text>,
        description -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    ecs_security_group (uuid) {
        uuid -> Text,
        data_center_uuid -> Nullable<Text>,
        ecs_vpc_uuid -> Nullable<Text>,
        security_group_id -> Nullable<Text>,
        name -> Nullable<Text>,
        security_group_name -> Nullable<Text>,
        description -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    ecs_security_group_rule (uuid) {
        uuid -> Text,
        data_center_uuid -> Nullable<Text>,
        ecs_security_group_uuid -> Nullable<Text>,
        direction -> Nullable<Text>,
        protocol -> Nullable<Text>,
        port_range -> Nullable<Text>,
        cidr -> Nullable<Text>,
        policy -> Nullable<Text>,
        nictype -> Nullable<Text>,
        priority -> Nullable<BigInt>,
        description -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    ecs_image (uuid) {
        uuid -> Text,
        data_center_uuid -> Nullable<Text>,
        ecs_image_id -> Nullable<Text>,
        local_image_uuid -> Nullable<Text>,
        name -> Nullable<Text>,
        ecs_image_size -> Nullable<BigInt>,
        platform -> Nullable<Text>,
        os_type -> Nullable<Text>,
        architecture -> Nullable<Text>,
        type -> Nullable<Text>,
        status -> Nullable<Text>,
        description -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    ecs_instance (uuid) {
        uuid -> Text,
        data_center_uuid -> Nullable<Text>,
        ecs_instance_id -> Nullable<Text>,
        local_vm_instance_uuid -> Nullable<Text>,
        name -> Nullable<Text>,
        ecs_status -> Nullable<Text>,
        ecs_instance_type -> Nullable<Text>,
        cpu_cores -> Nullable<BigInt>,
        memory_size -> Nullable<BigInt>,
        ecs_band_width -> Nullable<BigInt>,
        ecs_eip_uuid -> Nullable<Text>,
        ecs_vpc_uuid -> Nullable<Text>,
        ecs_v_switch_uuid -> Nullable<Text>,
        ecs_security_group_uuid -> Nullable<Text>,
        ecs_image_uuid -> Nullable<Text>,
        identity_zone_uuid -> Nullable<Text>,
        public_ip_address -> Nullable<Text>,
        private_ip_address -> Nullable<Text>,
        charge_type -> Nullable<Text>,
        description -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    aliyun_disk (uuid) {
        uuid -> Text,
        data_center_uuid -> Nullable<Text>,
        disk_id -> Nullable<Text>,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        identity_zone_uuid -> Nullable<Text>,
        ecs_instance_uuid -> Nullable<Text>,
        disk_category -> Nullable<Text>,
        disk_type -> Nullable<Text>,
        status -> Nullable<Text>,
        size_with_g_b -> Nullable<BigInt>,
        device_info -> Nullable<Text>,
        delete_with_instance -> Nullable<BigInt>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    hybrid_eip (uuid) {
        uuid -> Text,
        data_center_uuid -> Nullable<Text>,
        eip_id -> Nullable<Text>,
        eip_address -> Nullable<Text>,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        band_width -> Nullable<BigInt>,
        charge_type -> Nullable<Text>,
        status -> Nullable<Text>,
        allocate_resource_uuid -> Nullable<Text>,
        allocate_resource_type -> Nullable<Text>,
        eip_type -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    oss_bucket (uuid) {
        uuid -> Text,
        bucket_name -> Nullable<Text>,
        data_center_uuid -> Nullable<Text>,
        region_id -> Nullable<Text>,
        current -> Nullable<BigInt>,
        description -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    aliyun_virtual_router (uuid) {
        uuid -> Text,
        data_center_uuid -> Nullable<Text>,
        vr_id -> Nullable<Text>,
        vpc_uuid -> Nullable<Text>,
        v_router_name -> Nullable<Text>,
        route_table_id -> Nullable<Text>,
        description -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    aliyun_route_entry (uuid) {
        uuid -> Text,
        data_center_uuid -> Nullable<Text>,
        v_router_uuid -> Nullable<Text>,
        v_router_type -> Nullable<Text>,
        route_entry_id -> Nullable<Text>,
        route_table_id -> Nullable<Text>,
        destination_cidr_block -> Nullable<Text>,
        next_hop_type -> Nullable<Text>,
        next_hop_id -> Nullable<Text>,
        next_hop_uuid -> Nullable<Text>,
        type -> Nullable<Text>,
        status -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    vpc_vpn_gateway (uuid) {
        uuid -> Text,
        data_center_uuid -> Nullable<Text>,
        gateway_id -> Nullable<Text>,
        name -> Nullable<Text>,
        vpc_uuid -> Nullable<Text>,
        v_switch_uuid -> Nullable<Text>,
        public_ip -> Nullable<Text>,
        spec -> Nullable<Text>,
        status -> Nullable<Text>,
        business_status -> Nullable<Text>,
        description -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    vpc_user_vpn_gateway (uuid) {
        uuid -> Text,
        data_center_uuid -> Nullable<Text>,
        gateway_id -> Nullable<Text>,
        name -> Nullable<Text>,
        ip -> Nullable<Text>,
        description -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    vpc_vpn_connection (uuid) {
        uuid -> Text,
        data_center_uuid -> Nullable<Text>,
        connection_id -> Nullable<Text>,
        name -> Nullable<Text>,
        local_subnet -> Nullable<Text>,
        remote_subnet -> Nullable<Text>,
        status -> Nullable<Text>,
        active -> Nullable<BigInt>,
        vpn_gateway_uuid -> Nullable<Text>,
        user_gateway_uuid -> Nullable<Text>,
        ike_config_uuid -> Nullable<Text>,
        ipsec_config_uuid -> Nullable<Text>,
        description -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    vpc_vpn_ike_config (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        psk -> Nullable<Text>,
        version -> Nullable<Text>,
        mode -> Nullable<Text>,
        enc_alg -> Nullable<Text>,
        auth_alg -> Nullable<Text>,
        pfs -> Nullable<Text>,
        lifetime -> Nullable<BigInt>,
        local_ip -> Nullable<Text>,
        remote_ip -> Nullable<Text>,
        description -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    vpc_vpn_ipsec_config (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        enc_alg -> Nullable<Text>,
        auth_alg -> Nullable<Text>,
        pfs -> Nullable<Text>,
        lifetime -> Nullable<BigInt>,
        description -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    virtual_border_router (uuid) {
        uuid -> Text,
        data_center_uuid -> Nullable<Text>,
        vbr_id -> Nullable<Text>,
        name -> Nullable<Text>,
        status -> Nullable<Text>,
        vlan_id -> Nullable<BigInt>,
        circuit_code -> Nullable<Text>,
        local_gateway_ip -> Nullable<Text>,
        peer_gateway_ip -> Nullable<Text>,
        peering_subnet_mask -> Nullable<Text>,
        physical_connection_id -> Nullable<Text>,
        physical_connection_status -> Nullable<Text>,
        access_point_id -> Nullable<Text>,
        route_table_id -> Nullable<Text>,
        description -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        vlan_interface_id -> Nullable<Text>,
        inv -> Text,
    }
}

diesel::table! {
    aliyun_router_interface (uuid) {
        uuid -> Text,
        data_center_uuid -> Nullable<Text>,
        router_interface_id -> Nullable<Text>,
        name -> Nullable<Text>,
        router_type -> Nullable<Text>,
        router_id -> Nullable<Text>,
        v_router_uuid -> Nullable<Text>,
        role -> Nullable<Text>,
        spec -> Nullable<Text>,
        status -> Nullable<Text>,
        access_point_id -> Nullable<Text>,
        opposite_region_id -> Nullable<Text>,
        opposite_interface_id -> Nullable<Text>,
        opposite_router_id -> Nullable<Text>,
        opposite_router_type -> Nullable<Text>,
        description -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    aliyun_snapshot (uuid) {
        uuid -> Text,
        data_center_uuid -> Nullable<Text>,
        snapshot_id -> Nullable<Text>,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        disk_uuid -> Nullable<Text>,
        status -> Nullable<Text>,
        aliyun_snapshot_usage -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    connection_access_point (uuid) {
        uuid -> Text,
        data_center_uuid -> Nullable<Text>,
        access_point_id -> Nullable<Text>,
        type -> Nullable<Text>,
        name -> Nullable<Text>,
        status -> Nullable<Text>,
        host_operator -> Nullable<Text>,
        description -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    connection_relationship (uuid) {
        uuid -> Text,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        relation_ships -> Nullable<Text>,
        data_center_uuid -> Nullable<Text>,
        l3_network_uuid -> Nullable<Text>,
        vpc_uuid -> Nullable<Text>,
        vbr_uuid -> Nullable<Text>,
        cpe_ip -> Nullable<Text>,
        direction -> Nullable<Text>,
        connection_type -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}

diesel::table! {
    hybrid_pending_create (uuid) {
        uuid -> Text,
        resource_uuid -> Nullable<Text>,
        resource_type -> Nullable<Text>,
        data_center_uuid -> Nullable<Text>,
        lookup -> Nullable<Text>,
        create_date -> Nullable<BigInt>,
        last_op_date -> Nullable<BigInt>,
        inv -> Text,
    }
}
