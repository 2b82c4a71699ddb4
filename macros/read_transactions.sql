{% macro read_transactions(columns, files=none) -%}
    {{ return(adapter.dispatch('read_transactions', 'rfm')(columns, files)) }}
{%- endmacro %}


{#- source_row_number is the row's 1-based position in its own file (header excluded); read_position is the
    global position (files in name order, then rows) that "the earliest copy" of a duplicate means, as one
    integer. Parquet numbers its rows itself (file_index, file_row_number), so the scan stays parallel; a .csv or
    .tsv is scanned file by file and numbered per file (macros/rfm_csv_scan.sql). Any other input (.txt, a Parquet
    file with its own file_index column) is numbered in read order by row_number() over (), which DuckDB keeps
    (preserve_insertion_order) but only on one thread; a glob of several files then makes the numbers relative to
    each file. -#}
{% macro default__read_transactions(columns, files=none) -%}
    {%- if rfm_transactions_relation() is not none -%}
        {{ return(rfm_read_relation(rfm_transactions_relation(), columns)) }}
    {%- endif -%}
    {%- set nothing_to_read = files is not none and files | length == 0 -%}
    {%- set numbered_by_parquet = rfm_parquet_numbered() -%}
    {%- set numbered_by_file = numbered_by_parquet or (rfm_csv_pinned() and rfm_can_introspect()) -%}
    {%- if numbered_by_file -%}
        {#- Each file numbers its own rows: how many there are does not matter. -#}
        {%- set several_files = none -%}
    {%- elif files is not none -%}
        {%- set several_files = files | length > 1 -%}
    {%- elif rfm_can_introspect() -%}
        {%- set several_files = rfm_matching_file_count() > 1 -%}
    {%- else -%}
        {%- set several_files = true -%}
    {%- endif -%}
    select
        {%- if numbered_by_file %}
        _rfm_file_row_number + 1 as source_row_number,
        {%- elif several_files %}
        read_position - min(read_position) over (partition by _rfm_source_file) + 1 as source_row_number,
        {%- else %}
        read_position as source_row_number,
        {%- endif %}
        _rfm_source_file as source_file,
        {%- if numbered_by_file %}
        -- 2^40 rows per file, 2^23 files: (file, row) fits one bigint in order.
        cast(_rfm_file_index as bigint) * 1099511627776 + _rfm_file_row_number as read_position,
        {%- else %}
        read_position,
        {%- endif %}
        {{- rfm_contract_column_list(columns) }}
    from (
        select
            {%- if numbered_by_parquet %}
            -- The reader's own columns: which file (in the order read, which is name order) and which row.
            file_index as _rfm_file_index,
            file_row_number as _rfm_file_row_number,
            {%- elif numbered_by_file %}
            -- The CSV scan numbers each file's rows itself.
            {%- else %}
            row_number() over () as read_position,
            {%- endif %}
            *
        from {{ rfm_transactions_scan(none if nothing_to_read else files) }}
        {%- if nothing_to_read %}
        -- No new or changed file: the scan's columns and no rows (DuckDB plans this without reading).
        where false
        {%- endif %}
    ) as scanned
{%- endmacro %}


{#- Spark: a file's rows are numbered in read order, which is block (split) start, then the scan's own order
    within a split (monotonically_increasing_id grows within each task). read_position is (file, row) as a
    struct, which Spark orders field by field: the same "files in name order, then rows" with no global sort. -#}
{% macro spark__read_transactions(columns, files=none) -%}
    {%- if files is not none -%}
        {{ exceptions.raise_compiler_error("On Spark staging is rebuilt every run: a list of files to read is not supported.") }}
    {%- endif -%}
    {%- set relation = rfm_transactions_relation() -%}
    {%- if relation is not none %}
    {{ rfm_read_relation(relation, columns) }}
    {%- else -%}
    select
        _rfm_row_number as source_row_number,
        _rfm_source_file as source_file,
        named_struct('source_file', _rfm_source_file, 'row', _rfm_row_number) as read_position,
        {{- rfm_contract_column_list(columns) }}
    from (
        select
            row_number() over (
                partition by _rfm_source_file order by _rfm_block_start, _rfm_scan_order
            ) as _rfm_row_number,
            *
        from (
            select
                _metadata.file_path as _rfm_source_file,
                _metadata.file_block_start as _rfm_block_start,
                monotonically_increasing_id() as _rfm_scan_order,
                *
            from {{ rfm_transactions_scan() }}
        ) as scanned
    ) as numbered
    {%- endif %}
{%- endmacro %}


{#- The contract's columns as the file holds them, values untouched, each under its contract name. -#}
{% macro rfm_contract_column_list(columns) -%}
        {%- for name, column in columns.items() %}
        {% if column.name is none -%}
        -- No such column in the input: null (no transaction_id: every row is its own transaction).
        cast(null as {{ dbt.type_string() }})
        {%- else -%}
        {{ rfm_quote_identifier(column.name) }}
        {%- endif %} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
{%- endmacro %}
