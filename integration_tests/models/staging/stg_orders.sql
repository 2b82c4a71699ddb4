{#- The shop's orders as this project stages them, under its own names: the rfm package reads this model
    through var transactions_relation ("{{ ref('stg_orders') }}") and maps the names with transactions_columns. -#}
with

source as (

    select * from {{ ref('raw_orders') }}

),

renamed as (

    select
        ----------  ids
        order_no as order_number,
        client as customer_key,

        ----------  timestamps
        cast(order_date as timestamp) as ordered_at,

        ----------  numerics
        cast(total_cents / 100 as decimal(18, 2)) as order_total

    from source

)

select * from renamed
